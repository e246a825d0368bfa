package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/pulumi/pulumi/pkg/v3/engine"
	lt "github.com/pulumi/pulumi/pkg/v3/engine/lifecycletest/framework"
)

// Scenario 1, second half: a subnet id that is wrong once known fails the up with the
// component's message naming subnetId, before the instance is created.
//
// Not parallel: the failed check is an unhandled rejection in the plugin, and the Node SDK's
// provider server then fails every Construct in flight in that process, other tests' included.
// Go runs it before the parallel tests start.
func TestUnknownSubnetIsValidatedWhenKnown(t *testing.T) {
	d := newDeployment(t)
	d.cloud.subnetID = "sn-not-a-subnet"
	program := servicesStack()
	program.network = true

	up := d.run(lt.TestOp(Update), false, program)
	require.Error(t, up.err)
	assert.Contains(t, allMessages(up), "subnetId", "the failure does not name subnetId")
	assert.Contains(t, allMessages(up), "sn-not-a-subnet")
	assert.Empty(t, ofType(up.executed, "aws:ec2/instance:Instance"), "an instance was created in a bad subnet")
}

package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/pulumi/pulumi/pkg/v3/engine"
	lt "github.com/pulumi/pulumi/pkg/v3/engine/lifecycletest/framework"
)

// Scenario 7: the proof fails on the host (the verify command prints a failed report and exits
// 1): the up fails with verify's diagnosis, and what was created before it (the roles, buckets,
// the instance) is in the state, so that `pulumi destroy` can remove it.
func TestFailedProofFailsTheUpAndKeepsTheState(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	d.cloud.failProof = true
	up := d.run(lt.TestOp(Update), false, servicesStack())
	require.Error(t, up.err, "the up succeeded with a failed proof")
	assert.Contains(t, allMessages(up), trustDiagnosis, "the operator is not told why the proof failed")

	require.NotNil(t, up.snap, "no state after the failed up")
	inState := map[string]bool{}
	for _, r := range up.snap.Resources {
		inState[string(r.URN.Type())] = true
		assert.False(t, r.URN.Type() == "command:remote:Command" && r.URN.Name() == "rolepair-verify",
			"the failed proof's command is in the state as created")
	}
	for _, typ := range []string{"aws:ec2/instance:Instance", "aws:iam/role:Role", "aws:s3/bucket:Bucket",
		"aws:ec2/securityGroup:SecurityGroup", "aws:ec2/keyPair:KeyPair"} {
		assert.True(t, inState[typ], "no %s in the state after the failed up", typ)
	}

	// And destroy removes them.
	destroy := d.run(lt.TestOp(Destroy), false, servicesStack())
	require.NoError(t, destroy.err)
	if destroy.snap != nil {
		assert.Empty(t, destroy.snap.Resources)
	}
}

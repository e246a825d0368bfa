package engine_test

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/pulumi/pulumi/pkg/v3/engine"
	lt "github.com/pulumi/pulumi/pkg/v3/engine/lifecycletest/framework"
	"github.com/pulumi/pulumi/pkg/v3/resource/deploy"
)

// Scenario 1: a preview of a new services stack whose subnet and SSH CIDR come from other
// resources of the program (unknown until those exist): the preview succeeds and plans every
// resource the up then creates; the checks that need those values run once they are known.
func TestPreviewWithUnknownNetwork(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	program := servicesStack()
	program.network = true

	preview := d.run(lt.TestOp(Update), true, program)
	require.NoError(t, preview.err, "preview with an unknown subnetId and sshIngressCidr")
	planned := map[string]bool{}
	for _, s := range customResources(preview.steps) {
		assert.Equal(t, deploy.OpCreate, s.op, "preview: %s", named(s.urn))
		planned[named(s.urn)] = true
	}

	up := d.run(lt.TestOp(Update), false, program)
	require.NoError(t, up.err)
	created := map[string]bool{}
	for _, s := range customResources(up.executed) {
		created[named(s.urn)] = true
	}
	assert.Equal(t, sortedKeys(created), sortedKeys(planned), "the preview planned a different set than the up created")
	for _, typ := range []string{"aws:ec2/instance:Instance", "aws:ec2/securityGroup:SecurityGroup",
		"command:remote:Command", "aws:iam/role:Role", "aws:s3/bucket:Bucket"} {
		assert.NotEmpty(t, ofType(up.executed, typeToken(typ)), "the up created no %s", typ)
	}
	// The values reached the cloud once known.
	instance := lastInputs(t, d.cloud, "aws:ec2/instance:Instance")
	assert.Regexp(t, `^subnet-[0-9a-f]{17}$`, str(instance, "subnetId"))
	sg := lastInputs(t, d.cloud, "aws:ec2/securityGroup:SecurityGroup")
	assert.Contains(t, allStrings(sg), "192.0.2.", "the SSH rule does not carry the operator's address")
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

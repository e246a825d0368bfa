package engine_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi/pulumi/pkg/v3/display"
	. "github.com/pulumi/pulumi/pkg/v3/engine"
	lt "github.com/pulumi/pulumi/pkg/v3/engine/lifecycletest/framework"
	pkgresource "github.com/pulumi/pulumi/pkg/v3/resource"
	"github.com/pulumi/pulumi/pkg/v3/resource/deploy"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

// Policies someone wrote outside Pulumi: a public bucket, and a service role widened to all of S3.
const (
	publicBucketPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",` +
		`"Action":"s3:GetObject","Resource":"arn:aws:s3:::*"}]}`
	widenedAccessPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
)

const (
	bucketPolicyType     = tokens.Type("aws:s3/bucketPolicy:BucketPolicy")
	rolePolicyType       = tokens.Type("aws:iam/rolePolicy:RolePolicy")
	bucketVersioningType = tokens.Type("aws:s3/bucketVersioning:BucketVersioning")
)

// Drift: after an up, service-a's bucket policy is made public, service-b's access policy is
// widened to all of S3, and service-c's bucket versioning is deleted, all outside Pulumi. A
// refresh brings each into the state as the cloud has it, and the next up puts back what the
// components declare: the two policies updated, the versioning created again.
func TestRefreshSeesOutOfBandChanges(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	require.NoError(t, d.run(lt.TestOp(Update), false, servicesStack()).err)
	declared := str(stateOf(t, d.snap, bucketPolicyType, "service-a-bucket-policy").Outputs, "policy")
	require.Contains(t, declared, "aws:SecureTransport", "service-a's bucket policy as declared")
	declaredAccess := str(stateOf(t, d.snap, rolePolicyType, "service-b-target-access").Outputs, "policy")

	require.NoError(t, d.cloud.changeOutOfBand(bucketPolicyType, "service-a-bucket-policy", "policy", s(publicBucketPolicy)))
	require.NoError(t, d.cloud.changeOutOfBand(rolePolicyType, "service-b-target-access", "policy", s(widenedAccessPolicy)))
	require.NoError(t, d.cloud.deleteOutOfBand(bucketVersioningType, "service-c-bucket-versioning"))

	refresh := d.run(lt.TestOp(Refresh), false, servicesStack())
	require.NoError(t, refresh.err)
	assert.Empty(t, d.cloud.recorded(), "the refresh changed the cloud")
	for _, c := range []struct {
		typ     tokens.Type
		nameHas string
		policy  string
	}{
		{bucketPolicyType, "service-a-bucket-policy", publicBucketPolicy},
		{rolePolicyType, "service-b-target-access", widenedAccessPolicy},
	} {
		r := stateOf(t, d.snap, c.typ, c.nameHas)
		assert.Equal(t, c.policy, str(r.Outputs, "policy"), "the refreshed state's %s outputs", c.nameHas)
		assert.Equal(t, c.policy, str(r.Inputs, "policy"), "the refreshed state's %s inputs", c.nameHas)
	}
	assert.False(t, findState(d.snap, bucketVersioningType, "service-c-bucket-versioning") != nil,
		"the refreshed state still holds the versioning deleted outside Pulumi")
	// What no one touched is as it was.
	assert.Contains(t, str(stateOf(t, d.snap, bucketPolicyType, "service-b-bucket-policy").Outputs, "policy"),
		"aws:SecureTransport", "service-b's bucket policy after the refresh")

	up := d.run(lt.TestOp(Update), false, servicesStack())
	require.NoError(t, up.err)
	byResource := opsByResource(customResources(up.steps))
	assert.Equal(t, []display.StepOp{deploy.OpUpdate}, byResource["aws:s3/bucketPolicy:BucketPolicy::rolepair-service-a-bucket-policy"],
		"service-a's bucket policy after the refresh")
	assert.Equal(t, []display.StepOp{deploy.OpUpdate}, byResource["aws:iam/rolePolicy:RolePolicy::rolepair-service-b-target-access"],
		"service-b's access policy after the refresh")
	assert.Equal(t, []display.StepOp{deploy.OpCreate}, byResource["aws:s3/bucketVersioning:BucketVersioning::rolepair-service-c-bucket-versioning"],
		"service-c's bucket versioning after the refresh")
	for res, ops := range byResource {
		if strings.Contains(res, "service-a-bucket-policy") || strings.Contains(res, "service-b-target-access") ||
			strings.Contains(res, "service-c-bucket-versioning") {
			continue
		}
		assert.Equal(t, []display.StepOp{deploy.OpSame}, ops, "%s after the refresh", res)
	}
	live, err := d.cloud.liveOutputs(bucketPolicyType, "service-a-bucket-policy")
	require.NoError(t, err)
	assert.Equal(t, declared, str(live, "policy"), "the cloud's bucket policy after the up")
	live, err = d.cloud.liveOutputs(rolePolicyType, "service-b-target-access")
	require.NoError(t, err)
	assert.Equal(t, declaredAccess, str(live, "policy"), "the cloud's access policy after the up")
	_, err = d.cloud.liveOutputs(bucketVersioningType, "service-c-bucket-versioning")
	assert.NoError(t, err, "service-c's versioning is not back in the cloud")
}

// stateOf: the one resource of typ in snap whose name contains nameHas.
func stateOf(t *testing.T, snap *deploy.Snapshot, typ tokens.Type, nameHas string) *pkgresource.State {
	t.Helper()
	r := findState(snap, typ, nameHas)
	require.NotNil(t, r, "no %s named like %q in the state", typ, nameHas)
	return r
}

func findState(snap *deploy.Snapshot, typ tokens.Type, nameHas string) *pkgresource.State {
	var found *pkgresource.State
	for _, r := range snap.Resources {
		if r.URN.Type() == typ && strings.Contains(r.URN.Name(), nameHas) && !r.Delete {
			found = r
		}
	}
	return found
}

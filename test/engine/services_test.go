package engine_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi/pulumi/pkg/v3/display"
	. "github.com/pulumi/pulumi/pkg/v3/engine"
	lt "github.com/pulumi/pulumi/pkg/v3/engine/lifecycletest/framework"
	"github.com/pulumi/pulumi/pkg/v3/resource/deploy"
)

// Scenario 3, day 2: service-d added, service-b's ExternalId changed, service-c removed. The
// engine creates service-d's role and bucket, changes service-b's trust, deletes service-c's role
// and bucket, re-runs the proof, and never replaces or updates the instance (a developer's host,
// its address and its keys, outlive any change to the services).
func TestServiceChangesLeaveTheInstance(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	before := servicesStack()
	before.services["service-b"] = map[string]string{"externalId": "ext-before-0001"}
	require.NoError(t, d.run(lt.TestOp(Update), false, before).err)

	after := servicesStack()
	delete(after.services, "service-c")
	after.services["service-b"] = map[string]string{"externalId": "ext-after-0002"}
	after.services["service-d"] = map[string]string{}

	preview := d.run(lt.TestOp(Update), true, after)
	require.NoError(t, preview.err)
	up := d.run(lt.TestOp(Update), false, after)
	require.NoError(t, up.err)

	for name, o := range map[string]outcome{"preview": preview, "up": up} {
		for _, s := range ofType(o.steps, "aws:ec2/instance:Instance") {
			assert.Equal(t, deploy.OpSame, s.op, "%s: the instance is %s (diff %v, replacing on %v)",
				name, s.op, s.diff, s.keys)
		}
	}
	for _, op := range d.cloud.recorded() {
		assert.NotEqual(t, "aws:ec2/instance:Instance", string(op.Type), "the cloud saw an instance %s", op.Op)
	}

	byResource := opsByResource(customResources(up.steps))
	for res, ops := range byResource {
		switch {
		case strings.Contains(res, "service-d"):
			assert.Equal(t, []display.StepOp{deploy.OpCreate}, ops, "new service's %s", res)
		case strings.Contains(res, "service-c"):
			assert.Equal(t, []display.StepOp{deploy.OpDelete}, ops, "removed service's %s", res)
		case strings.Contains(res, "service-a"):
			assert.Equal(t, []display.StepOp{deploy.OpSame}, ops, "unchanged service's %s", res)
		}
	}
	// service-b's trust now carries the new ExternalId.
	role := byResource["aws:iam/role:Role::rolepair-service-b-target-role"]
	assert.Equal(t, []display.StepOp{deploy.OpUpdate}, role, "service-b's role")
	assert.Contains(t, allStrings(lastInputs(t, d.cloud, "aws:iam/role:Role", "service-b")), "ext-after-0002")
	// The proof re-ran against the new set of services.
	verify := ofType(up.executed, "command:remote:Command")
	assert.NotEmpty(t, verify, "the proof did not re-run")
}

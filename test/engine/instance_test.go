package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/pulumi/pulumi/pkg/v3/engine"
	lt "github.com/pulumi/pulumi/pkg/v3/engine/lifecycletest/framework"
	"github.com/pulumi/pulumi/pkg/v3/resource/deploy"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

// A new instance type is an in-place change (EC2 stops, modifies and starts the instance): the
// engine updates the host, never replaces it (a replaceOnChanges on the instance would), the
// host keeps its id, and the commands follow it to the address it has after the restart.
func TestInstanceTypeUpdatesInPlace(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	first := d.run(lt.TestOp(Update), false, servicesStack())
	require.NoError(t, first.err)
	assertCheckDefaults(t, d.cloud, first)
	before := componentOutputs(t, first)

	larger := servicesStack()
	larger.instanceType = "t3.small"
	preview := d.run(lt.TestOp(Update), true, larger)
	require.NoError(t, preview.err)
	up := d.run(lt.TestOp(Update), false, larger)
	require.NoError(t, up.err)

	for name, o := range map[string]outcome{"preview": preview, "up": up} {
		steps := ofType(o.steps, instanceType)
		require.Len(t, steps, 1, "%s: the instance's steps", name)
		assert.Equal(t, deploy.OpUpdate, steps[0].op, "%s: the instance is %s (replacing on %v)",
			name, steps[0].op, steps[0].keys)
		assert.Empty(t, steps[0].keys, "%s: the instance's replace keys", name)
		assert.Equal(t, []resource.PropertyKey{"instanceType"}, steps[0].diff, "%s: what differs", name)
	}
	var instanceOps []string
	for _, op := range d.cloud.recorded() {
		if op.Type == instanceType {
			instanceOps = append(instanceOps, op.Op)
		}
	}
	assert.Equal(t, []string{"update"}, instanceOps, "what the cloud did to the instance")
	assert.Equal(t, "t3.small", str(lastInputs(t, d.cloud, string(instanceType)), "instanceType"))

	after := componentOutputs(t, up)
	assert.Equal(t, str(before, "instanceId"), str(after, "instanceId"), "the host is another instance")
	assert.NotEqual(t, str(before, "publicIp"), str(after, "publicIp"), "the restart kept the address")
	// The commands on the host reach it at its new address, without re-running for a new host
	// (their triggers name the instance id, which did not change).
	for _, name := range []string{"rolepair-wait-for-host", "rolepair-sync-profiles", "rolepair-verify"} {
		ran := commandRuns(d.cloud, "command:remote:Command", name)
		require.Equal(t, []string{"update"}, opsOf(ran), "%s's runs", name)
		conn := unsecretValue(ran[0].Inputs["connection"])
		require.True(t, conn.IsObject(), "%s has no connection", name)
		assert.Equal(t, str(after, "publicIp"), str(conn.ObjectValue(), "host"), "%s's host", name)
	}
}

// What the components rely on Check's defaults for (fakeaws_test.go says why each): the host
// role, which sets neither, gets path "/" and a one-hour session, and its ARN, which the
// component hands out, is the one the fake built at that path; the instance, which does not set
// userDataReplaceOnChange, gets false.
func assertCheckDefaults(t *testing.T, c *fakeCloud, up outcome) {
	t.Helper()
	role := lastInputs(t, c, "aws:iam/role:Role", "host-role")
	assert.Equal(t, s("/"), role["path"], "the host role's path")
	assert.Equal(t, numv(3600), role["maxSessionDuration"], "the host role's maxSessionDuration")
	assert.Equal(t, boolv(false), role["forceDetachPolicies"], "the host role's forceDetachPolicies")
	assert.Equal(t, s("/"), lastInputs(t, c, "aws:iam/instanceProfile:InstanceProfile")["path"])
	live, err := c.liveOutputs("aws:iam/role:Role", "host-role")
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:iam::"+accountID+":role/"+str(role, "name"), str(live, "arn"))
	assert.Equal(t, str(live, "arn"), str(componentOutputs(t, up), "hostRoleArn"))
	assert.Equal(t, boolv(false), lastInputs(t, c, string(instanceType))["userDataReplaceOnChange"])
	// The component sets its own description: the default must not stand in for it.
	sg := lastInputs(t, c, "aws:ec2/securityGroup:SecurityGroup")
	assert.NotEqual(t, "Managed by Pulumi", str(sg, "description"), "the security group's description")
}

// componentOutputs: the SharedDevHost's outputs as the program received them.
func componentOutputs(t *testing.T, o outcome) resource.PropertyMap {
	t.Helper()
	component, err := o.got.get()
	require.NoError(t, err)
	require.NotNil(t, component, "the program received no component")
	out := resource.PropertyMap{}
	for k, v := range component.Outputs {
		out[k] = unsecretValue(v)
	}
	return out
}

// commandRuns: the creates and updates (each runs the create command) the cloud recorded for the
// commands of typ named name, in order. A delete runs nothing: the components set no delete command.
func commandRuns(c *fakeCloud, typ tokens.Type, name string) []cloudOp {
	var out []cloudOp
	for _, op := range c.recorded() {
		if op.Type == typ && op.URN.Name() == name && op.Op != "delete" {
			out = append(out, op)
		}
	}
	return out
}

// opsOf: the ops alone, to compare and print (the inputs hold keys).
func opsOf(ops []cloudOp) []string {
	out := make([]string, len(ops))
	for i, op := range ops {
		out[i] = op.Op
	}
	return out
}

// What the components do with a host whose user data is not the current one (made by an earlier
// version, which put the profiles themselves in the user data): instance.ts freezes userData
// (ignoreChanges), so the instance is neither updated (a stop and start, without
// userDataReplaceOnChange: TestInstanceUserDataRule) nor replaced, and keeps its old user data.
// New host code reaches such a host only through the commands the deploying side runs on it
// (the profile sync step installs the agent before the proof).
func TestOldUserDataStaysOnTheHost(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	require.NoError(t, d.run(lt.TestOp(Update), false, servicesStack()).err)
	const earlier = "#!/bin/bash\n# an earlier version's user data: the profiles written here\n"
	host := stateOf(t, d.snap, instanceType, "rolepair-host")
	current := str(host.Inputs, "userData")
	require.NotEmpty(t, current)
	host.Inputs["userData"], host.Outputs["userData"] = s(earlier), s(earlier)
	require.NoError(t, d.cloud.changeOutOfBand(instanceType, "rolepair-host", "userData", s(earlier)))

	up := d.run(lt.TestOp(Update), false, servicesStack())
	require.NoError(t, up.err)
	steps := ofType(up.steps, instanceType)
	require.Len(t, steps, 1)
	assert.Equal(t, deploy.OpSame, steps[0].op, "the host with older user data is %s (replacing on %v)",
		steps[0].op, steps[0].keys)
	for _, op := range d.cloud.recorded() {
		assert.NotEqual(t, instanceType, op.Type, "the cloud saw an instance %s", op.Op)
	}
	live, err := d.cloud.liveOutputs(instanceType, "rolepair-host")
	require.NoError(t, err)
	assert.Equal(t, earlier, str(live, "userData"), "the host's user data")
	assert.Equal(t, earlier, str(stateOf(t, d.snap, instanceType, "rolepair-host").Inputs, "userData"))
}

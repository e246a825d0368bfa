package engine_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/pulumi/pulumi/pkg/v3/engine"
	lt "github.com/pulumi/pulumi/pkg/v3/engine/lifecycletest/framework"
	"github.com/pulumi/pulumi/pkg/v3/resource/deploy"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The credential agent on day 2 (issue 28): turning it on, adding a service with it on, and
// turning it off again never touch the instance (its user data is the same; the agent reaches the
// host through the sync step). Each profile parameter carries exactly its fields and, with the
// agent on, who may use its token: the token itself is made on the host and is nowhere in state.
func TestCredentialAgentOnAndOffLeaveTheInstance(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	off := servicesStack()
	require.NoError(t, d.run(lt.TestOp(Update), false, off).err)

	on := servicesStack()
	on.credentialAgent = true
	more := servicesStack()
	more.credentialAgent = true
	more.services["service-d"] = map[string]string{}

	for _, version := range []struct {
		name  string
		stack stack
		agent bool
	}{{"on", on, true}, {"a service added", more, true}, {"off again", more.without(), false}} {
		preview := d.run(lt.TestOp(Update), true, version.stack)
		require.NoError(t, preview.err, version.name)
		up := d.run(lt.TestOp(Update), false, version.stack)
		require.NoError(t, up.err, "%s: %s", version.name, allMessages(up))
		for _, op := range d.cloud.recorded() {
			assert.NotEqual(t, instanceType, op.Type, "%s: the cloud saw an instance %s", version.name, op.Op)
		}
		for phase, o := range map[string]outcome{"preview": preview, "up": up} {
			instance := ofType(o.steps, instanceType)
			require.Len(t, instance, 1, "%s %s: the instance's steps", version.name, phase)
			assert.Equal(t, deploy.OpSame, instance[0].op, "%s %s: the instance is %s (diff %v)",
				version.name, phase, instance[0].op, instance[0].diff)
		}

		for service := range version.stack.services {
			value := str(stateInputs(t, d, "aws:ssm/parameter:Parameter", "rolepair-"+service+"-profile-parameter"), "value")
			var fields map[string]any
			require.NoError(t, json.Unmarshal([]byte(value), &fields), "%s: %s's parameter", version.name, service)
			keys := []string{}
			for k := range fields {
				keys = append(keys, k)
			}
			want := []string{"region", "roleArn", "v"}
			if version.agent {
				want = append(want, "agent")
				assert.Equal(t, map[string]any{"users": []any{"ec2-user"}}, fields["agent"],
					"%s: %s's parameter", version.name, service)
			}
			assert.ElementsMatch(t, want, keys, "%s: %s's parameter", version.name, service)
		}

		var plan []map[string]any
		verify := stateInputs(t, d, "command:remote:Command", "rolepair-verify")
		require.NoError(t, json.Unmarshal([]byte(str(verify, "stdin")), &plan))
		require.Len(t, plan, len(version.stack.services), "%s: the plan", version.name)
		for _, target := range plan {
			if version.agent {
				assert.Equal(t, true, target["agent"], "%s: %v", version.name, target["name"])
			} else {
				assert.NotContains(t, target, "agent", "%s: %v", version.name, target["name"])
			}
		}
	}
	// Nothing in state is a token's: the only agent text Pulumi holds is in the component's
	// outputs (paths and names), and none of it after the agent is off again.
	for _, r := range d.snap.Resources {
		all := allStrings(r.Inputs) + allStrings(r.Outputs)
		assert.NotContains(t, all, "/etc/rolepair/agent/tokens/", "%s", named(r.URN))
		assert.NotContains(t, all, "AWS_CONTAINER_AUTHORIZATION_TOKEN", "%s", named(r.URN))
	}
}

// without: the same stack with the agent off.
func (s stack) without() stack {
	s.credentialAgent = false
	return s
}

// stateInputs: the inputs the state holds for the resource of that type and logical name.
func stateInputs(t *testing.T, d *deployment, typ, name string) resource.PropertyMap {
	t.Helper()
	for _, r := range d.snap.Resources {
		if string(r.URN.Type()) == typ && r.URN.Name() == name && !r.Delete {
			return r.Inputs
		}
	}
	t.Fatalf("the state holds no %s %s", typ, name)
	return nil
}

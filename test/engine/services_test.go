package engine_test

import (
	"encoding/json"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi/pulumi/pkg/v3/display"
	. "github.com/pulumi/pulumi/pkg/v3/engine"
	lt "github.com/pulumi/pulumi/pkg/v3/engine/lifecycletest/framework"
	"github.com/pulumi/pulumi/pkg/v3/resource/deploy"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Scenario 3, day 2: service-d added, service-b's ExternalId changed, service-c removed. The
// engine creates service-d's role and bucket, changes service-b's trust, deletes service-c's role
// and bucket, re-runs the profile sync and the proof, and never replaces or updates the instance
// (a developer's host, its address and its keys, outlive any change to the services).
func TestServiceChangesLeaveTheInstance(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	before := servicesStack()
	before.services["service-b"] = map[string]string{"externalId": "ext-before-0001"}
	require.NoError(t, d.run(lt.TestOp(Update), false, before).err)
	owned := map[string][]resource.URN{}
	for _, svc := range []string{"service-a", "service-c"} {
		for _, r := range d.snap.Resources {
			if r.Custom && strings.Contains(r.URN.Name(), svc) {
				owned[svc] = append(owned[svc], r.URN)
			}
		}
		require.NotEmpty(t, owned[svc], "%s owns nothing in the state", svc)
	}

	after := servicesStack()
	delete(after.services, "service-c")
	after.services["service-b"] = map[string]string{"externalId": "ext-after-0002"}
	after.services["service-d"] = map[string]string{}

	preview := d.run(lt.TestOp(Update), true, after)
	require.NoError(t, preview.err)
	up := d.run(lt.TestOp(Update), false, after)
	require.NoError(t, up.err)

	for name, o := range map[string]outcome{"preview": preview, "up": up} {
		instance := ofType(o.steps, instanceType)
		require.Len(t, instance, 1, "%s: the instance's steps", name)
		assert.Equal(t, deploy.OpSame, instance[0].op, "%s: the instance is %s (diff %v, replacing on %v)",
			name, instance[0].op, instance[0].diff, instance[0].keys)
	}
	for _, op := range d.cloud.recorded() {
		assert.NotEqual(t, instanceType, op.Type, "the cloud saw an instance %s", op.Op)
	}

	byResource := opsByResource(customResources(up.steps))
	matched := map[string][]string{}
	for res, ops := range byResource {
		for _, svc := range []string{"service-a", "service-c", "service-d"} {
			if strings.Contains(res, svc) {
				matched[svc] = append(matched[svc], res)
				want := map[string]display.StepOp{
					"service-a": deploy.OpSame, "service-c": deploy.OpDelete, "service-d": deploy.OpCreate,
				}[svc]
				assert.Equal(t, []display.StepOp{want}, ops, "%s's %s", svc, res)
			}
		}
	}
	// Each loop above met what it should: service-a's and service-c's resources as the state had
	// them, and for service-d the same kinds of resource service-a has.
	assert.ElementsMatch(t, namedAll(owned["service-a"]), matched["service-a"], "service-a's resources")
	assert.ElementsMatch(t, namedAll(owned["service-c"]), matched["service-c"], "service-c's resources")
	assert.Equal(t, typesOf(matched["service-a"]), typesOf(matched["service-d"]), "service-d's resources")

	// The cloud deleted each of service-c's resources, once, and holds none of them.
	deletes := map[resource.URN]int{}
	for _, op := range d.cloud.recorded() {
		if op.Op == "delete" {
			deletes[op.URN]++
		}
	}
	for _, urn := range owned["service-c"] {
		assert.Equal(t, 1, deletes[urn], "the cloud's deletes of %s", named(urn))
	}
	assert.Empty(t, d.cloud.liveNamed("service-c"), "the cloud still holds service-c's")

	// service-b's trust now carries the new ExternalId.
	role := byResource["aws:iam/role:Role::rolepair-service-b-target-role"]
	assert.Equal(t, []display.StepOp{deploy.OpUpdate}, role, "service-b's role")
	assert.Contains(t, allStrings(lastInputs(t, d.cloud, "aws:iam/role:Role", "service-b")), "ext-after-0002")

	assertHostCommands(t, d.cloud, up)
}

// assertHostCommands: what the engine had run on the host on day 2. The command fake checks
// little (fakecommand_test.go), so this checks what the engine sent it: which commands ran, in
// what order, and with what on stdin.
func assertHostCommands(t *testing.T, c *fakeCloud, up outcome) {
	t.Helper()
	// Unchanged triggers (the instance, the bundle): not run again.
	for _, name := range []string{"rolepair-wait-for-host", "rolepair-copy-verify"} {
		for _, typ := range []string{"command:remote:Command", "command:remote:CopyToRemote"} {
			assert.Empty(t, opsOf(commandRuns(c, typeToken(typ), name)), "%s ran again", name)
		}
	}
	sync := commandRuns(c, "command:remote:Command", "rolepair-sync-profiles")
	require.Equal(t, []string{"create"}, opsOf(sync), "the profile sync's runs (new profiles replace it)")
	// The sync reads the path the profiles' parameters are under.
	parameter := lastInputs(t, c, "aws:ssm/parameter:Parameter", "service-d")
	assert.Contains(t, str(sync[0].Inputs, "stdin"), path.Dir(str(parameter, "name")),
		"the sync's script does not read the profiles' path")
	assert.Contains(t, str(lastInputs(t, c, "aws:ssm/parameter:Parameter", "service-b"), "value"), "ext-after-0002")

	// The sync writes only the plan's profiles: service-c's parameter outlives this up's proof.
	assert.Contains(t, str(sync[0].Inputs, "stdin"), " --profiles service-a,service-b,service-d;",
		"the sync is not told the plan's profiles")

	// The sync ran after service-d's and service-b's parameters were written. service-c's is
	// deleted only after it and after the proof (the engine deletes what left the program last);
	// the sync leaves it out (--profiles above), so the proof sees only the plan's profiles.
	at := map[string]int{}
	for i, st := range up.executed {
		at[string(st.op)+" "+st.urn.Name()] = i
	}
	syncAt, ok := at["create-replacement rolepair-sync-profiles"]
	require.True(t, ok, "the sync's create is not among the executed steps")
	for _, written := range []string{"create rolepair-service-d-profile-parameter", "update rolepair-service-b-profile-parameter"} {
		w, ok := at[written]
		if assert.True(t, ok, "no step %q", written) {
			assert.Less(t, w, syncAt, "%s came after the sync", written)
		}
	}
	if gone, ok := at["delete rolepair-service-c-profile-parameter"]; assert.True(t, ok, "service-c's parameter was not deleted") {
		assert.Greater(t, gone, syncAt, "service-c's parameter was deleted before the sync")
	}

	// The proof ran once, after the sync, on the plan of the services the program now has.
	verify := commandRuns(c, "command:remote:Command", "rolepair-verify")
	require.Equal(t, []string{"create"}, opsOf(verify), "the proof's runs")
	verifyAt, ok := at["create-replacement rolepair-verify"]
	assert.True(t, ok && verifyAt > syncAt, "the proof did not run after the sync")
	assert.Contains(t, str(verify[0].Inputs, "create"), "--targets -")
	var plan []verifyTarget
	require.NoError(t, json.Unmarshal([]byte(str(verify[0].Inputs, "stdin")), &plan), "the plan on stdin")
	var names []string
	for _, target := range plan {
		names = append(names, target.Name)
		role, err := c.liveOutputs("aws:iam/role:Role", target.Name+"-target-role")
		require.NoError(t, err)
		assert.Equal(t, str(role, "arn"), target.RoleArn, "%s's role in the plan", target.Name)
		bucket, err := c.liveOutputs(bucketType, target.Name+"-bucket")
		require.NoError(t, err)
		assert.Equal(t, str(bucket, "bucket"), target.Bucket, "%s's bucket in the plan", target.Name)
		want := map[string]string{"service-b": "ext-after-0002"}[target.Name]
		assert.Equal(t, want, target.ExternalID, "%s's ExternalId in the plan", target.Name)
	}
	sort.Strings(names)
	assert.Equal(t, []string{"service-a", "service-b", "service-d"}, names, "the services in the plan")
}

func namedAll(urns []resource.URN) []string {
	out := make([]string, len(urns))
	for i, urn := range urns {
		out[i] = named(urn)
	}
	return out
}

// typesOf: the resource types of type::name entries, sorted (a multiset to compare).
func typesOf(resources []string) []string {
	out := make([]string, len(resources))
	for i, r := range resources {
		out[i] = r[:strings.Index(r, "::")]
	}
	sort.Strings(out)
	return out
}

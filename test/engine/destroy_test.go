package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/pulumi/pulumi/pkg/v3/engine"
	lt "github.com/pulumi/pulumi/pkg/v3/engine/lifecycletest/framework"
	pkgresource "github.com/pulumi/pulumi/pkg/v3/resource"
	"github.com/pulumi/pulumi/pkg/v3/resource/deploy"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Scenario 6: destroy deletes everything, never a resource before one that depends on it (by
// dependsOn, an input's dependency, parentage or deletedWith, as the state records them); a
// second destroy has nothing to do.
func TestDestroyInDependencyOrder(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	up := d.run(lt.TestOp(Update), false, servicesStack())
	require.NoError(t, up.err)
	before := d.snap
	require.NotEmpty(t, before.Resources)

	destroy := d.run(lt.TestOp(Destroy), false, servicesStack())
	require.NoError(t, destroy.err)
	if destroy.snap != nil {
		assert.Empty(t, destroy.snap.Resources, "resources left after destroy")
	}

	deletedAt := map[resource.URN]int{}
	for i, s := range destroy.executed {
		if s.op == deploy.OpDelete {
			deletedAt[s.urn] = i
		}
	}
	for _, r := range before.Resources {
		at, ok := deletedAt[r.URN]
		if !assert.True(t, ok, "%s was not deleted", named(r.URN)) {
			continue
		}
		for _, dep := range dependenciesOf(r) {
			if depAt, ok := deletedAt[dep]; ok {
				assert.Greater(t, depAt, at, "%s was deleted before %s, which depends on it",
					named(dep), named(r.URN))
			}
		}
	}
	// Every custom resource was deleted in the cloud, once.
	deletes := map[resource.URN]int{}
	for _, op := range d.cloud.recorded() {
		if op.Op == "delete" {
			deletes[op.URN]++
		}
	}
	for _, r := range before.Resources {
		if r.Custom && !isProvider(r.URN) {
			assert.Equal(t, 1, deletes[r.URN], "cloud deletes of %s", named(r.URN))
		}
	}

	again := d.run(lt.TestOp(Destroy), false, servicesStack())
	require.NoError(t, again.err)
	assert.Empty(t, again.executed, "the second destroy did something")
	assert.Empty(t, d.cloud.recorded(), "the second destroy changed the cloud")
}

// dependenciesOf: every resource r needs to exist while it does.
func dependenciesOf(r *pkgresource.State) []resource.URN {
	var deps []resource.URN
	if r.Parent != "" {
		deps = append(deps, r.Parent)
	}
	deps = append(deps, r.Dependencies...)
	for _, pd := range r.PropertyDependencies {
		deps = append(deps, pd...)
	}
	if r.DeletedWith != "" {
		deps = append(deps, r.DeletedWith)
	}
	if r.Provider != "" {
		if ref, err := providerURN(r.Provider); err == nil {
			deps = append(deps, ref)
		}
	}
	return deps
}

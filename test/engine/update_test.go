package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/pulumi/pulumi/pkg/v3/engine"
	lt "github.com/pulumi/pulumi/pkg/v3/engine/lifecycletest/framework"
	"github.com/pulumi/pulumi/pkg/v3/resource/deploy"
)

// Scenario 2: an up, then an up with nothing changed: the second plans and applies nothing but
// `same` steps, and the cloud sees no change at all.
func TestNoChangeUpIsAllSame(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	first := d.run(lt.TestOp(Update), false, servicesStack())
	require.NoError(t, first.err)
	require.NotEmpty(t, customResources(first.executed), "the first up created nothing")

	second := d.run(lt.TestOp(Update), false, servicesStack())
	require.NoError(t, second.err)
	require.NotEmpty(t, second.steps)
	for _, s := range second.steps {
		assert.Equal(t, deploy.OpSame, s.op, "second up: %s %s (diff %v, replace keys %v)",
			s.op, named(s.urn), s.diff, s.keys)
	}
	assert.Empty(t, d.cloud.recorded(), "the second up changed the cloud")
	assert.Len(t, second.steps, len(first.steps), "the second up saw a different set of resources")
}

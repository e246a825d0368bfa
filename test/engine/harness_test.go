package engine_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/pkg/v3/display"
	"github.com/pulumi/pulumi/pkg/v3/engine"
	lt "github.com/pulumi/pulumi/pkg/v3/engine/lifecycletest/framework"
	"github.com/pulumi/pulumi/pkg/v3/resource/deploy"
	"github.com/pulumi/pulumi/pkg/v3/resource/deploy/deploytest"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

// operationTimeout bounds one engine operation (the first Construct of a run takes the longest).
const operationTimeout = 4 * time.Minute

// deployment is one stack under test: its fake cloud, and the state the engine keeps between runs.
type deployment struct {
	t     *testing.T
	cloud *fakeCloud
	plan  *lt.TestPlan
	snap  *deploy.Snapshot
}

func newDeployment(t *testing.T) *deployment {
	return &deployment{
		t:     t,
		cloud: newFakeCloud(),
		plan:  &lt.TestPlan{Project: "rolepair", Stack: "services"},
	}
}

// outcome is what one engine operation did.
type outcome struct {
	err error
	// steps: every step the engine reported, in order (for a preview, the steps it planned).
	steps []step
	// executed: the steps the engine applied, in the order they completed (not for a preview).
	executed []step
	diags    []engine.DiagEventPayload
	// providerLogs: what the providers logged through the plugin host.
	providerLogs string
	snap         *deploy.Snapshot
	got          *received
}

type step struct {
	op   display.StepOp
	urn  resource.URN
	keys []resource.PropertyKey // the keys causing replacement
	diff []resource.PropertyKey // the keys that differ
}

// engineProgram is what a run gives the engine: the user's program and the stack's configuration.
type engineProgram interface {
	program(got *received) deploytest.ProgramFunc
	config() config.Map
}

// run has the engine preview (dryRun) or apply op to the stack's program, against the state left
// by the last applied operation. Applied operations advance the state.
func (d *deployment) run(op lt.TestOp, dryRun bool, program engineProgram) outcome {
	d.t.Helper()
	got := &received{}
	// What providers log (a failed command's output) reaches the plugin host's sink.
	logs := &syncBuffer{}
	sink := diag.DefaultSink(logs, logs, diag.FormatOptions{Color: colors.Never})
	hostF := deploytest.NewPluginHostF(sink, sink, deploytest.NewLanguageRuntimeF(program.program(got)), nil, nil,
		d.cloud.awsLoader(), d.cloud.tlsLoader(), d.cloud.commandLoader(), componentLoader())
	d.plan.Options = lt.TestUpdateOptions{T: d.t, HostF: hostF, SkipDisplayTests: true}
	d.plan.Config = program.config()

	res := outcome{got: got}
	validate := func(_ workspace.Project, _ deploy.Target, entries engine.JournalEntries,
		events []engine.Event, err error,
	) error {
		for _, e := range events {
			switch p := e.Payload().(type) {
			case engine.ResourcePreEventPayload:
				res.steps = append(res.steps, stepOf(p.Metadata))
			case engine.DiagEventPayload:
				res.diags = append(res.diags, p)
			}
		}
		for _, entry := range entries {
			if entry.Kind == engine.TestJournalEntrySuccess {
				res.executed = append(res.executed, step{op: entry.Step.Op(), urn: entry.Step.URN()})
			}
		}
		return err
	}
	d.cloud.resetOps()
	// A bound on each operation, so that a Construct that never returns fails the test by name
	// rather than hanging the run until go test's timeout.
	ctx, cancel := context.WithTimeout(context.Background(), operationTimeout)
	defer cancel()
	snap, err := op.RunWithContext(ctx, d.plan.GetProject(), d.plan.GetTarget(d.t, d.snap), d.plan.Options,
		dryRun, nil, validate)
	if ctx.Err() != nil {
		d.t.Errorf("the operation did not finish within %v", operationTimeout)
	}
	res.err, res.snap, res.providerLogs = err, snap, logs.String()
	if !dryRun && snap != nil {
		d.snap = snap
	}
	return res
}

// config is the stack's configuration: Pulumi.services.yaml's aws:region (the component reads
// only aws:region and aws:profile from config; the rest arrives as the component's inputs).
func (s stack) config() config.Map { return regionConfig() }

func regionConfig() config.Map {
	return config.Map{config.MustMakeKey("aws", "region"): config.NewValue("us-east-1")}
}

func stepOf(m engine.StepEventMetadata) step {
	return step{op: m.Op, urn: m.URN, keys: m.Keys, diff: m.Diffs}
}

// named returns the URN's type and name as "type::name", short for messages.
func named(urn resource.URN) string { return string(urn.Type()) + "::" + urn.Name() }

// opsByResource: for each resource (type::name), the ops the engine took on it, in order.
func opsByResource(steps []step) map[string][]display.StepOp {
	out := map[string][]display.StepOp{}
	for _, s := range steps {
		out[named(s.urn)] = append(out[named(s.urn)], s.op)
	}
	return out
}

// customResources: the steps on custom (cloud) resources: not the stack, the component or providers.
func customResources(steps []step) []step {
	var out []step
	for _, s := range steps {
		t := s.urn.Type()
		if t == resource.RootStackType || t == sharedDevHostType || strings.HasPrefix(string(t), "pulumi:providers:") {
			continue
		}
		out = append(out, s)
	}
	return out
}

func ofType(steps []step, typ tokens.Type) []step {
	var out []step
	for _, s := range steps {
		if s.urn.Type() == typ {
			out = append(out, s)
		}
	}
	return out
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

package engine_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/pulumi/pulumi/pkg/v3/resource/deploy/deploytest"
	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/env"
)

// repoRoot is the repository's root: test/engine/../..
var repoRoot = func() string {
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		panic(err)
	}
	return dir
}()

// componentPlugin is the running rolepair plugin (pulumi-package/), shared by every engine operation.
var componentPlugin plugin.Provider

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	// SIGINT/SIGTERM (Ctrl-C, a CI timeout): kill the plugin before going.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		sig := <-signals
		n := killPluginProcesses()
		fmt.Fprintf(os.Stderr, "engine tests: %v, killed %d plugin process group(s)\n", sig, n)
		os.Exit(1)
	}()
	defer func() {
		// Closing the provider kills its process; give the kill a moment to be reaped first.
		for deadline := time.Now().Add(5 * time.Second); processes.count() > 0 && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
		}
		if n := killPluginProcesses(); n > 0 {
			fmt.Fprintf(os.Stderr, "engine tests: killed %d plugin process group(s) left running\n", n)
		}
	}()

	for _, bundle := range []string{"verify.js", "host-key.js", "plugin/index.js"} {
		if _, err := os.Stat(filepath.Join(repoRoot, "dist", bundle)); err != nil {
			fmt.Fprintf(os.Stderr, "engine tests: dist/%s is missing: run `node scripts/bundle.mjs` "+
				"(npm run test:engine does) at the repository root\n", bundle)
			return 2
		}
	}

	started := time.Now()
	// What the plugin logs outside an operation (the SDK's report of an unhandled rejection, which
	// TestUnknownSubnetIsValidatedWhenKnown causes on purpose) is shown when a test failed, or live
	// with ENGINE_TEST_DEBUG=1.
	pluginLog := &syncBuffer{}
	var logTo io.Writer = pluginLog
	if os.Getenv("ENGINE_TEST_DEBUG") != "" {
		logTo = os.Stderr
	}
	provider, closePlugin, err := startComponentPlugin(logTo)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%sengine tests: starting pulumi-package as a plugin: %v\n", pluginLog, err)
		return 2
	}
	defer closePlugin()
	fmt.Fprintf(os.Stderr, "engine tests: rolepair plugin up in %.1fs\n", time.Since(started).Seconds())
	componentPlugin = provider
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "engine tests: what the plugin logged outside an operation:\n%s", pluginLog)
	}
	return code
}

// startComponentPlugin starts pulumi-package/ through the engine's own plugin loading
// (plugin.NewProviderFromPath: ExecPlugin reads PulumiPlugin.yaml, asks the host for the nodejs
// language runtime, which runs the plugin; the engine reads its port, dials and handshakes).
//
// One process serves every operation of the run. The engine would start one per operation, but
// the plugin's first Construct runs the schema analyzer over the components' TypeScript (with
// @pulumi/aws's declarations): 25 to 70 s on a loaded two-core machine (docs/testing.md), once per
// process. The start itself is short since the plugin runs compiled (pulumi-package/plugin.cjs;
// under ts-node it type-checked the components on every start, 43 to 95 s). Each operation still
// gets its own provider (Configure, Construct) from the engine's plugin host (componentLoader).
//
// Tests run in parallel (t.Parallel, two at a time on two cores): each has its own deployment,
// fake cloud and plugin host, and the Node SDK runs each Construct in an async-local store of its
// own (provider/server.ts: withLocalStorage), so the plugin's one thread interleaves two
// deployments' registrations while the engine waits on the other. A test whose Construct fails
// through an unhandled rejection must not be parallel (TestUnknownSubnetIsValidatedWhenKnown says why).
func startComponentPlugin(log io.Writer) (plugin.Provider, func(), error) {
	// ENGINE_TEST_DEBUG=1 shows what the plugin process writes (the engine logs it at debug level).
	sink := diag.DefaultSink(log, log, diag.FormatOptions{
		Color: colors.Never, Debug: os.Getenv("ENGINE_TEST_DEBUG") != "",
	})
	host := deploytest.NewPluginHost(sink, sink, &nodeLanguageHost{})
	pwd, err := os.Getwd()
	if err != nil {
		return nil, nil, err
	}
	pctx, err := plugin.NewContextWithHost(context.Background(), sink, sink, host, pwd, pwd, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	provider, err := plugin.NewProviderFromPath(host, pctx,
		filepath.Join(repoRoot, "pulumi-package"), env.NewEnv(env.MapStore{}))
	if err != nil {
		_ = pctx.Close()
		_ = host.Close()
		return nil, nil, err
	}
	return provider, func() {
		// The caller owns a provider from NewProviderFromPath: cancel, then close (kills the process).
		_ = provider.SignalCancellation(context.Background())
		_ = provider.Close()
		_ = pctx.Close()
		_ = host.Close()
	}, nil
}

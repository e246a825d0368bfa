package engine_test

// The Node.js language host's RunPlugin, as pulumi-language-nodejs implements it (sdk/nodejs/cmd/
// pulumi-language-nodejs/main.go, RunPlugin): resolve @pulumi/pulumi/cmd/run-plugin from the plugin's
// directory, then run `node <run-plugin> <plugin directory> <engine address>` in the engine's working
// directory, with PULUMI_NODEJS_TYPESCRIPT=true (the runtime option source-based TypeScript plugins
// default to). run-plugin requires the directory, i.e. its package.json main: pulumi-package/
// plugin.cjs, the components compiled into dist/plugin/ (`node scripts/bundle.mjs`, run by
// `npm run test:engine` as by the plugin's postinstall). The engine's own ExecPlugin calls this for a directory holding PulumiPlugin.yaml with
// `runtime: nodejs`, reads the port the plugin prints and dials it: that part is Pulumi's code, not ours.
//
// Everything else of the language runtime (running the test program) is deploytest's in-process runtime.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/promise"
)

type nodeLanguageHost struct {
	plugin.LanguageRuntime
}

// RunPlugin starts the plugin in its own process group, killed with the group when its context is
// cancelled (the engine's Plugin.Kill), when the test binary exits (killPluginProcesses), or, should
// the test binary die without cleaning up, by the kernel (Pdeathsig).
func (h *nodeLanguageHost) RunPlugin(
	ctx context.Context, info plugin.RunPluginInfo,
) (io.Reader, io.Reader, *promise.Promise[int32], error) {
	dir := info.Info.ProgramDirectory()
	runPlugin, err := resolveNodeModule(dir, "@pulumi/pulumi/cmd/run-plugin")
	if err != nil {
		return nil, nil, nil, err
	}
	// ENGINE_TEST_NODE_ARGS: node's own flags for the plugin, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p"
	// (Node 20 refuses the profiler's flags in NODE_OPTIONS).
	args := append(strings.Fields(os.Getenv("ENGINE_TEST_NODE_ARGS")), runPlugin, dir)
	args = append(args, info.Args...)
	cmd := exec.Command("node", args...)
	cmd.Dir = info.WorkingDirectory
	cmd.Env = append(append([]string{}, info.Env...), "PULUMI_NODEJS_TYPESCRIPT=true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, nil, fmt.Errorf("starting the component plugin: %w", err)
	}
	processes.add(cmd.Process.Pid)
	go func() {
		<-ctx.Done()
		killGroup(cmd.Process.Pid)
	}()
	done := promise.Run(func() (int32, error) {
		err := cmd.Wait()
		processes.remove(cmd.Process.Pid)
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return int32(exit.ExitCode()), nil
		}
		return 0, err
	})
	return stdout, stderr, done, nil
}

// resolveNodeModule finds a module as Node would from dir (the language host's locateModule).
func resolveNodeModule(dir, module string) (string, error) {
	out, err := exec.Command("node", "-p",
		fmt.Sprintf("require.resolve(%q, { paths: [%q] })", module, dir)).Output()
	if err != nil {
		return "", fmt.Errorf("resolving %s from %s (run npm ci at the repository root): %w", module, dir, err)
	}
	return filepath.Clean(strings.TrimSpace(string(out))), nil
}

// processes: the plugin process groups still running, so that nothing outlives the tests.
var processes = &processTable{pids: map[int]bool{}}

type processTable struct {
	mu   sync.Mutex
	pids map[int]bool
}

func (p *processTable) add(pid int)    { p.mu.Lock(); p.pids[pid] = true; p.mu.Unlock() }
func (p *processTable) remove(pid int) { p.mu.Lock(); delete(p.pids, pid); p.mu.Unlock() }

func (p *processTable) count() int { p.mu.Lock(); defer p.mu.Unlock(); return len(p.pids) }

func killGroup(pid int) { _ = syscall.Kill(-pid, syscall.SIGKILL) }

// killPluginProcesses kills every plugin process group still running and says how many there were.
func killPluginProcesses() int {
	processes.mu.Lock()
	defer processes.mu.Unlock()
	n := 0
	for pid := range processes.pids {
		killGroup(pid)
		n++
	}
	return n
}

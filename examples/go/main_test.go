// Runs the program under the Go SDK's mocks (no engine, no plugin, no AWS) and records the inputs
// each component is registered with. test/package/sdks/examples.test.ts runs this with
// ROLEPAIR_INPUTS_OUT set and checks the recorded inputs, the same way for every language's example.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// recorder answers every registration with its own inputs and keeps them, by "<type> <name>".
type recorder struct {
	mu     sync.Mutex
	inputs map[string]any
}

func (r *recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inputs[args.TypeToken+" "+args.Name] = args.Inputs.Mappable()
	return args.Name + "-id", args.Inputs, nil
}

func (r *recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return nil, fmt.Errorf("the example makes no calls, got %s", args.Token)
}

func TestProgramUnderMocks(t *testing.T) {
	rec := &recorder{inputs: map[string]any{}}
	withConfig := func(info *pulumi.RunInfo) {
		info.Config = map[string]string{"rolepair-go:sshIngressCidr": "203.0.113.7/32"}
	}
	if err := pulumi.RunErr(program, pulumi.WithMocks("rolepair-go", "dev", rec), withConfig); err != nil {
		t.Fatal(err)
	}
	if len(rec.inputs) == 0 {
		t.Fatal("nothing was registered")
	}
	out := os.Getenv("ROLEPAIR_INPUTS_OUT")
	if out == "" {
		return
	}
	data, err := json.Marshal(rec.inputs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

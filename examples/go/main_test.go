// Runs the program under the Go SDK's mocks (no engine, no plugin, no AWS): checks what it
// registers and that the components' outputs reach it through the generated SDK's types, and
// records the inputs each component is registered with. test/package/sdks/examples.test.ts runs
// this with ROLEPAIR_INPUTS_OUT set and checks the recorded inputs, the same way for every
// language's example.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"example.com/pulumi-rolepair/sdk/go/rolepair"
)

const account = "123456789012"

// recorder keeps every registration's inputs, by "<type> <name>", and answers each component with
// the outputs the rolepair plugin would give it, named after the inputs.
type recorder struct {
	mu     sync.Mutex
	inputs map[string]any
}

func roleArn(name string) string { return "arn:aws:iam::" + account + ":role/" + name }

func (r *recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r.mu.Lock()
	r.inputs[args.TypeToken+" "+args.Name] = args.Inputs.Mappable()
	r.mu.Unlock()
	outputs := map[string]any{"hostRoleArn": roleArn(args.Name + "-host")}
	switch args.TypeToken {
	case "rolepair:index:SharedDevHost":
		services := map[string]any{}
		for name := range args.Inputs["services"].ObjectValue() {
			services[string(name)] = map[string]any{
				"roleArn":     roleArn(args.Name + "-" + string(name)),
				"bucketName":  args.Name + "-" + string(name) + "-bucket",
				"profileName": string(name),
			}
		}
		outputs["services"] = services
	case "rolepair:index:AssumableRolePair":
		outputs["targetRoleArn"] = roleArn(args.Name + "-target")
		outputs["bucketName"] = args.Name + "-bucket"
	default:
		return "", nil, fmt.Errorf("the example registers only rolepair components, got %s", args.TypeToken)
	}
	return args.Name + "-id", resource.NewPropertyMapFromMap(outputs), nil
}

func (r *recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return nil, fmt.Errorf("the example makes no calls, got %s", args.Token)
}

func TestProgramUnderMocks(t *testing.T) {
	rec := &recorder{inputs: map[string]any{}}
	withConfig := func(info *pulumi.RunInfo) {
		info.Config = map[string]string{"rolepair-go:sshIngressCidr": "203.0.113.7/32"}
	}
	var got []any
	var wg sync.WaitGroup
	wg.Add(1)
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		built, err := deploy(ctx)
		if err != nil {
			return err
		}
		pulumi.All(
			built.services.HostRoleArn, built.services.Services,
			built.pair.HostRoleArn, built.pair.TargetRoleArn, built.pair.BucketName,
		).ApplyT(func(values []any) error {
			got = values
			wg.Done()
			return nil
		})
		return nil
	}, pulumi.WithMocks("rolepair-go", "dev", rec), withConfig)
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	registered := make([]string, 0, len(rec.inputs))
	for key := range rec.inputs {
		registered = append(registered, key)
	}
	sort.Strings(registered)
	if want := []string{"rolepair:index:AssumableRolePair pair", "rolepair:index:SharedDevHost services"}; !reflect.DeepEqual(registered, want) {
		t.Fatalf("registered %v, want %v", registered, want)
	}

	service := func(name string) rolepair.SharedServiceOutputType {
		return rolepair.SharedServiceOutputType{
			RoleArn: roleArn("services-" + name), BucketName: "services-" + name + "-bucket", ProfileName: name,
		}
	}
	want := []any{
		roleArn("services-host"),
		map[string]rolepair.SharedServiceOutputType{
			"service-a": service("service-a"), "service-b": service("service-b"), "service-c": service("service-c"),
		},
		roleArn("pair-host"), roleArn("pair-target"), "pair-bucket",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("outputs %#v, want %#v", got, want)
	}

	if out := os.Getenv("ROLEPAIR_INPUTS_OUT"); out != "" {
		data, err := json.Marshal(rec.inputs)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

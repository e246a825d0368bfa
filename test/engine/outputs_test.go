package engine_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	. "github.com/pulumi/pulumi/pkg/v3/engine"
	lt "github.com/pulumi/pulumi/pkg/v3/engine/lifecycletest/framework"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Scenario 5: the component's outputs as a program in another language receives them after
// Construct (hostRoleArn, the services map, the verification report) have the shape
// pulumi-package/schema.json declares, which is what the generated SDKs decode them with.
func TestComponentOutputsMatchTheSchema(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	up := d.run(lt.TestOp(Update), false, servicesStack())
	require.NoError(t, up.err)
	component, err := up.got.get()
	require.NoError(t, err)

	schema := loadSchema(t)
	res := schema.Resources[sharedDevHostType]
	require.NotEmpty(t, res.Properties, "schema.json has no %s", sharedDevHostType)
	outs := component.Outputs
	for _, name := range []string{"hostRoleArn", "services", "instanceId", "publicIp", "verification"} {
		v, ok := outs[resource.PropertyKey(name)]
		require.True(t, ok, "the program received no %s (got %v)", name, keysOf(outs))
		require.Contains(t, res.Properties, name, "schema.json declares no output %s", name)
		for _, problem := range schema.check(name, res.Properties[name], unsecretValue(v)) {
			t.Error(problem)
		}
	}
	for name := range outs {
		if _, ok := res.Properties[string(name)]; !ok {
			t.Errorf("the program received %s, which schema.json does not declare", name)
		}
	}
	services := unsecretValue(outs["services"]).ObjectValue()
	require.Len(t, services, 3)
	for _, name := range []string{"service-a", "service-b", "service-c"} {
		svc := unsecretValue(services[resource.PropertyKey(name)]).ObjectValue()
		require.Equal(t, name, str(svc, "profileName"))
		require.Regexp(t, `^arn:aws:iam::123456789012:role/rolepair-`+name+`-target-role-[0-9a-f]{7}$`, str(svc, "roleArn"))
	}
}

type schemaType struct {
	Type                 string                `json:"type"`
	Ref                  string                `json:"$ref"`
	Items                *schemaType           `json:"items"`
	AdditionalProperties *schemaType           `json:"additionalProperties"`
	Properties           map[string]schemaType `json:"properties"`
	Required             []string              `json:"required"`
	Enum                 []struct {
		Value any `json:"value"`
	} `json:"enum"`
}

type packageSchema struct {
	Resources map[string]schemaType `json:"resources"`
	Types     map[string]schemaType `json:"types"`
}

func loadSchema(t *testing.T) packageSchema {
	raw, err := os.ReadFile(filepath.Join(repoRoot, "pulumi-package", "schema.json"))
	require.NoError(t, err)
	var s packageSchema
	require.NoError(t, json.Unmarshal(raw, &s))
	return s
}

// check: where v departs from the schema type, one line each.
func (s packageSchema) check(path string, want schemaType, v resource.PropertyValue) []string {
	v = unsecretValue(v)
	if want.Ref != "" {
		name := strings.TrimPrefix(want.Ref, "#/types/")
		def, ok := s.Types[name]
		if !ok {
			return []string{fmt.Sprintf("%s: schema.json has no type %s", path, name)}
		}
		return s.check(path, def, v)
	}
	fail := func(expected string) []string {
		return []string{fmt.Sprintf("%s: expected %s, got %v", path, expected, v)}
	}
	if len(want.Enum) > 0 {
		for _, e := range want.Enum {
			if v.IsString() && e.Value == v.StringValue() {
				return nil
			}
		}
		return fail("one of the enum's values")
	}
	switch want.Type {
	case "string":
		if !v.IsString() {
			return fail("a string")
		}
	case "number", "integer":
		if !v.IsNumber() {
			return fail("a number")
		}
	case "boolean":
		if !v.IsBool() {
			return fail("a boolean")
		}
	case "array":
		if !v.IsArray() {
			return fail("an array")
		}
		var problems []string
		for i, e := range v.ArrayValue() {
			problems = append(problems, s.check(fmt.Sprintf("%s[%d]", path, i), *want.Items, e)...)
		}
		return problems
	case "object", "":
		if !v.IsObject() {
			return fail("an object")
		}
		obj := v.ObjectValue()
		var problems []string
		if want.AdditionalProperties != nil {
			for k, e := range obj {
				problems = append(problems, s.check(path+"."+string(k), *want.AdditionalProperties, e)...)
			}
			return problems
		}
		for _, k := range want.Required {
			if _, ok := obj[resource.PropertyKey(k)]; !ok {
				problems = append(problems, fmt.Sprintf("%s: the required %s is missing", path, k))
			}
		}
		for k, e := range obj {
			prop, ok := want.Properties[string(k)]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: %s is not in the schema", path, k))
				continue
			}
			problems = append(problems, s.check(path+"."+string(k), prop, e)...)
		}
		return problems
	}
	return nil
}

func keysOf(m resource.PropertyMap) []string {
	var out []string
	for k := range m {
		out = append(out, string(k))
	}
	return out
}

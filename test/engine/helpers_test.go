package engine_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

func typeToken(t string) tokens.Type { return tokens.Type(t) }

// lastInputs: the inputs of the last create or update the cloud saw for a type (and a name
// containing nameHas).
func lastInputs(t *testing.T, c *fakeCloud, typ string, nameHas ...string) resource.PropertyMap {
	t.Helper()
	ops := c.recorded()
	for i := len(ops) - 1; i >= 0; i-- {
		if string(ops[i].Type) == typ && ops[i].Op != "delete" &&
			(len(nameHas) == 0 || strings.Contains(ops[i].URN.Name(), nameHas[0])) {
			return ops[i].Inputs
		}
	}
	t.Fatalf("the cloud saw no %s", typ)
	return nil
}

// allMessages: the operation's error and every diagnostic, as one text.
func allMessages(o outcome) string {
	var b strings.Builder
	if o.err != nil {
		b.WriteString(o.err.Error())
		b.WriteString("\n")
	}
	for _, d := range o.diags {
		b.WriteString(d.Message)
		b.WriteString("\n")
	}
	b.WriteString(o.providerLogs)
	return b.String()
}

// allStrings: every string in props (secrets included), one a line, to search.
func allStrings(props resource.PropertyMap) string {
	var b strings.Builder
	var walk func(v resource.PropertyValue)
	walk = func(v resource.PropertyValue) {
		v = unsecretValue(v)
		switch {
		case v.IsString():
			b.WriteString(v.StringValue())
			b.WriteString("\n")
		case v.IsObject():
			for _, e := range v.ObjectValue() {
				walk(e)
			}
		case v.IsArray():
			for _, e := range v.ArrayValue() {
				walk(e)
			}
		}
	}
	for _, v := range props {
		walk(v)
	}
	return b.String()
}

func isProvider(urn resource.URN) bool {
	return strings.HasPrefix(string(urn.Type()), "pulumi:providers:")
}

// providerURN: the URN part of a provider reference ("<urn>::<id>").
func providerURN(ref string) (resource.URN, error) {
	i := strings.LastIndex(ref, "::")
	if i < 0 {
		return "", fmt.Errorf("not a provider reference: %s", ref)
	}
	return resource.URN(ref[:i]), nil
}

package engine_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/pulumi/pulumi/pkg/v3/engine"
	lt "github.com/pulumi/pulumi/pkg/v3/engine/lifecycletest/framework"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The operator's own key pair (test material, not a real key).
var operatorKey = keyPair{
	public:  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOperatorKeyForEngineTests00000000000 operator@laptop",
	private: "-----BEGIN OPENSSH PRIVATE KEY-----\nOPERATOR-PRIVATE-KEY-MATERIAL\n-----END OPENSSH PRIVATE KEY-----\n",
}

// Scenario 4: sshPrivateKey given as a secret stays a secret everywhere the engine keeps it: every
// resource's inputs and outputs in the state, and the component's outputs as the program gets them.
//
// Shown failing: with components/host.ts un-secreting the key it was given
// (`sshPrivateKey = pulumi.unsecret(pulumi.output(args.ssh.privateKey))`), this test fails twice:
// "rolepair:index:SharedDevHost::rolepair: outputs sshPrivateKey holds the private key in
// plaintext" (the state) and "the component's output sshPrivateKey holds the private key in
// plaintext" (the program's view). Stripping secretness from the fake command provider's outputs
// does not make it fail, rightly: @pulumi/command registers its commands with
// additionalSecretOutputs ["connection"], so the engine keeps the connection secret whatever the
// provider returns; its inputs arrive secret because the SDK wraps the connection in a secret.
func TestPrivateKeyStaysSecret(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	program := servicesStack()
	program.sshKeyPair = &operatorKey
	up := d.run(lt.TestOp(Update), false, program)
	require.NoError(t, up.err)
	require.NotNil(t, up.snap)

	const needle = "OPERATOR-PRIVATE-KEY-MATERIAL"
	secretUses := 0
	for _, r := range up.snap.Resources {
		for what, props := range map[string]resource.PropertyMap{"inputs": r.Inputs, "outputs": r.Outputs} {
			for _, leak := range plaintext(props, needle) {
				t.Errorf("%s: %s %s holds the private key in plaintext", named(r.URN), what, leak)
			}
			secretUses += countSecret(props, needle)
		}
	}
	// The key must reach the proof's SSH connection: a state without it would pass vacuously.
	assert.Positive(t, secretUses, "the private key is nowhere in the state, not even as a secret")
	component, err := up.got.get()
	require.NoError(t, err)
	for _, leak := range plaintext(component.Outputs, needle) {
		t.Errorf("the component's output %s holds the private key in plaintext", leak)
	}
}

// plaintext: the paths of strings containing needle that are not under a secret.
func plaintext(props resource.PropertyMap, needle string) []string {
	leaks, _ := findString(props, needle)
	return leaks
}

// countSecret: how many strings under a secret contain needle.
func countSecret(props resource.PropertyMap, needle string) int {
	_, n := findString(props, needle)
	return n
}

func findString(props resource.PropertyMap, needle string) (leaks []string, secret int) {
	var walk func(path string, v resource.PropertyValue, underSecret bool)
	walk = func(path string, v resource.PropertyValue, underSecret bool) {
		switch {
		case v.IsSecret():
			walk(path, v.SecretValue().Element, true)
		case v.IsOutput():
			walk(path, v.OutputValue().Element, underSecret || v.OutputValue().Secret)
		case v.IsString():
			if strings.Contains(v.StringValue(), needle) {
				if underSecret {
					secret++
				} else {
					leaks = append(leaks, path)
				}
			}
		case v.IsObject():
			for k, e := range v.ObjectValue() {
				walk(path+"."+string(k), e, underSecret)
			}
		case v.IsArray():
			for _, e := range v.ArrayValue() {
				walk(path+"[]", e, underSecret)
			}
		}
	}
	for k, v := range props {
		walk(string(k), v, false)
	}
	return leaks, secret
}

package engine_test

// In-process stand-ins for the aws, tls and command providers: the engine drives them exactly as it
// drives the real plugins (Check, Diff, Create, Update, Delete, Read, Invoke), they record every
// change with its inputs, and they answer with plausible outputs. No cloud is reached.
//
// Behaviours modelled, and where each comes from:
//   - Check (aws): what pulumi-terraform-bridge's Check adds to the inputs (pkg/tfbridge/schema.go
//     applyDefaults): the Terraform schema's Default values and the Pulumi autoname, each only
//     while the input is unset and no input it conflicts with is set, and the list of what it
//     added under "__defaults". On an update a default keeps its old value when the old inputs
//     list it as a default. Which defaults, and why they matter here: fakeaws_test.go.
//   - Autonaming (aws): a resource whose name input is unset gets "<logical name>-<7 hex>" at Check
//     (the Bucket lowercased, as pulumi-aws's AutoNameWithCustomOptions for aws_s3_bucket does), not
//     when its name-prefix input is set (`bucketPrefix`, `namePrefix`: the Terraform provider
//     names it at create, prefix + a 26-character unique id). "Resource names":
//     https://www.pulumi.com/docs/iac/concepts/resources/names/.
//   - Replacement (aws, tls): a change to a property the Terraform schema marks ForceNew replaces;
//     any other change updates. The ForceNew lists in forceNew are those of the Terraform AWS
//     provider's resource docs (registry.terraform.io/providers/hashicorp/aws: aws_instance `ami`,
//     `subnet_id`, `key_name`, `availability_zone`, `associate_public_ip_address`; aws_key_pair
//     `public_key`, `key_name`; aws_security_group `name`, `description`, `vpc_id`; aws_iam_role
//     `name`, `path`; aws_iam_role_policy `name`, `role`; aws_iam_role_policy_attachment `role`,
//     `policy_arn`; aws_iam_instance_profile `name`, `path`; aws_s3_bucket `bucket`,
//     `bucket_prefix`; the aws_s3_bucket_* configuration resources `bucket`) and of the TLS
//     provider (tls_private_key: every argument is ForceNew).
//   - aws_instance `user_data` replaces only when `user_data_replace_on_change` is true (its
//     default is false), and updates (stop, modify, start) otherwise (aws_instance docs,
//     "user_data_replace_on_change"). A stop and start releases the instance's public address:
//     an update of `instance_type` or `user_data` gives it a new one (EC2 User Guide, "Public IPv4
//     addresses": an auto-assigned public address is released when the instance is stopped).
//   - Refresh (Read): the fake cloud keeps what each resource is now (fakecloudstate_test.go); a
//     scenario can change or delete it out of band, and Read reports the cloud, not the state.
//   - command:local:Command, command:remote:Command, command:remote:CopyToRemote: the provider
//     reports changed properties; `triggers` replaces because @pulumi/command registers these
//     resources with replaceOnChanges: ["triggers[*]"] (node_modules/@pulumi/command/remote/
//     command.js), which the engine applies. A changed `create` updates, which re-runs the create
//     command (remote/command.d.ts: "If empty, the create command will be executed instead").
//   - Secrets: tls_private_key's private_key_pem / private_key_openssh are Sensitive in the TLS
//     provider's schema, so the bridged provider returns them as secrets; inputs that arrive
//     secret are returned secret (the bridge keeps an input's secretness on the matching output).
//   - A command that exits non-zero fails its Create with "Process exited with status N" and no
//     resource is created (pulumi-command's behaviour); its stderr reaches the engine as a log.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"sync"

	"github.com/blang/semver"

	"github.com/pulumi/pulumi/pkg/v3/resource/deploy/deploytest"
	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// The versions @pulumi/aws, @pulumi/tls and @pulumi/command ask the engine for
// (their package.json "pulumi" sections, as installed by the lockfile).
const (
	awsVersion     = "7.48.0"
	tlsVersion     = "5.6.1"
	commandVersion = "1.2.1"
)

const accountID = "123456789012"

// cloudOp is one change a fake provider made, with the inputs it was given.
type cloudOp struct {
	Op     string // create, update, delete
	Type   tokens.Type
	URN    resource.URN
	Inputs resource.PropertyMap
}

// fakeCloud holds what the fake providers did, and how the proof should come out.
type fakeCloud struct {
	mu  sync.Mutex
	ops []cloudOp
	seq int

	// subnetID: the id the cloud gives the program's subnet ("" a valid generated one).
	subnetID string
	// failProof makes the verify command print a failed report and exit 1.
	failProof bool
	// invokes counts each invoke token called.
	invokes map[string]int
	// live: each resource as the cloud holds it now, by type and id (fakecloudstate_test.go).
	live map[liveKey]*liveResource
}

func newFakeCloud() *fakeCloud {
	return &fakeCloud{invokes: map[string]int{}, live: map[liveKey]*liveResource{}}
}

func (c *fakeCloud) record(op string, typ tokens.Type, urn resource.URN, inputs property.Map) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ops = append(c.ops, cloudOp{Op: op, Type: typ, URN: urn, Inputs: resource.ToResourcePropertyMap(inputs)})
}

func (c *fakeCloud) next() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	return c.seq
}

// resetOps forgets what was recorded (between operations of one scenario).
func (c *fakeCloud) resetOps() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ops = nil
}

func (c *fakeCloud) recorded() []cloudOp {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]cloudOp{}, c.ops...)
}

// resourceModel is how one resource type behaves.
type resourceModel struct {
	// nameKey is the input the bridge autonames, if any.
	nameKey string
	// namePrefixKey is the input that conflicts with nameKey: while it is set, no autoname.
	namePrefixKey string
	// nameTransform rewrites the logical name before the suffix (the Bucket lowercases it).
	nameTransform func(string) string
	// defaults: the Terraform schema's Default values Check applies to unset inputs.
	defaults resource.PropertyMap
	// bridged: Check lists what it added under "__defaults", as the bridge does.
	bridged bool
	// forceNew lists the inputs whose change replaces the resource.
	forceNew []string
	// replaceIf adds replacements that depend on the new inputs (aws_instance user_data).
	replaceIf func(news resource.PropertyMap, changed map[resource.PropertyKey]bool) []resource.PropertyKey
	// outputs computes the outputs the cloud adds to the inputs on create.
	outputs func(c *fakeCloud, n int, ins resource.PropertyMap) (resource.ID, resource.PropertyMap)
	// updated changes the outputs of an update beyond the new inputs (a stop and start's new address).
	updated func(n int, changed map[resource.PropertyKey]bool, outs resource.PropertyMap)
	// create runs a command: it may fail, and it logs.
	run func(c *fakeCloud, host plugin.Host, urn resource.URN, ins resource.PropertyMap) (resource.PropertyMap, error)
}

// loader makes the provider for one package out of its resource models and invokes.
func (c *fakeCloud) loader(
	pkg tokens.Package, version string, models map[tokens.Type]*resourceModel,
	invokes map[tokens.ModuleMember]func(args resource.PropertyMap) resource.PropertyMap,
) *deploytest.ProviderLoader {
	return deploytest.NewProviderLoaderWithHost(pkg, semver.MustParse(version),
		func(host plugin.Host) (plugin.Provider, error) {
			return c.provider(host, pkg, version, models, invokes), nil
		})
}

func (c *fakeCloud) provider(
	host plugin.Host, pkg tokens.Package, version string, models map[tokens.Type]*resourceModel,
	invokes map[tokens.ModuleMember]func(args resource.PropertyMap) resource.PropertyMap,
) *deploytest.Provider {
	model := func(typ tokens.Type) (*resourceModel, error) {
		m, ok := models[typ]
		if !ok {
			return nil, fmt.Errorf("fake %s provider: no model for resource type %s", pkg, typ)
		}
		return m, nil
	}
	return &deploytest.Provider{
		Package: pkg,
		Version: semver.MustParse(version),
		CheckF: func(_ context.Context, req plugin.CheckRequest) (plugin.CheckResponse, error) {
			m, err := model(req.URN.Type())
			if err != nil {
				return plugin.CheckResponse{}, err
			}
			checked := m.check(req.URN.Name(), req.RandomSeed,
				resource.ToResourcePropertyMap(req.OldInputs), resource.ToResourcePropertyMap(req.NewInputs))
			return plugin.CheckResponse{Properties: resource.FromResourcePropertyMap(checked)}, nil
		},
		DiffF: func(_ context.Context, req plugin.DiffRequest) (plugin.DiffResult, error) {
			m, err := model(req.URN.Type())
			if err != nil {
				return plugin.DiffResult{}, err
			}
			return diffInputs(m, resource.ToResourcePropertyMap(req.OldInputs),
				resource.ToResourcePropertyMap(req.NewInputs)), nil
		},
		CreateF: func(_ context.Context, req plugin.CreateRequest) (plugin.CreateResponse, error) {
			m, err := model(req.URN.Type())
			if err != nil {
				return plugin.CreateResponse{}, err
			}
			ins := resource.ToResourcePropertyMap(req.Properties)
			if req.Preview {
				return plugin.CreateResponse{Properties: req.Properties}, nil
			}
			id, outs := m.outputs(c, c.next(), ins)
			if m.run != nil {
				ran, err := m.run(c, host, req.URN, ins)
				if err != nil {
					return plugin.CreateResponse{}, err
				}
				for k, v := range ran {
					outs[k] = v
				}
			}
			c.record("create", req.URN.Type(), req.URN, req.Properties)
			c.store(req.URN, id, outs)
			return plugin.CreateResponse{ID: id, Properties: resource.FromResourcePropertyMap(outs),
				Status: resource.StatusOK}, nil
		},
		UpdateF: func(_ context.Context, req plugin.UpdateRequest) (plugin.UpdateResponse, error) {
			m, err := model(req.URN.Type())
			if err != nil {
				return plugin.UpdateResponse{}, err
			}
			if req.Preview {
				return plugin.UpdateResponse{Properties: req.NewInputs}, nil
			}
			outs := resource.ToResourcePropertyMap(req.OldOutputs)
			news := resource.ToResourcePropertyMap(req.NewInputs)
			for k, v := range news {
				outs[k] = v
			}
			if m.updated != nil {
				changed := map[resource.PropertyKey]bool{}
				if diff := unsecret(resource.ToResourcePropertyMap(req.OldInputs)).Diff(unsecret(news)); diff != nil {
					for _, k := range diff.ChangedKeys() {
						changed[k] = true
					}
				}
				m.updated(c.next(), changed, outs)
			}
			if m.run != nil {
				ran, err := m.run(c, host, req.URN, resource.ToResourcePropertyMap(req.NewInputs))
				if err != nil {
					return plugin.UpdateResponse{}, err
				}
				for k, v := range ran {
					outs[k] = v
				}
			}
			c.record("update", req.URN.Type(), req.URN, req.NewInputs)
			c.store(req.URN, req.ID, outs)
			return plugin.UpdateResponse{Properties: resource.FromResourcePropertyMap(outs),
				Status: resource.StatusOK}, nil
		},
		DeleteF: func(_ context.Context, req plugin.DeleteRequest) (plugin.DeleteResponse, error) {
			c.record("delete", req.URN.Type(), req.URN, req.Inputs)
			c.forget(req.URN.Type(), req.ID)
			return plugin.DeleteResponse{Status: resource.StatusOK}, nil
		},
		// A refresh finds the cloud as it is now, which may not be what the state says.
		ReadF: func(_ context.Context, req plugin.ReadRequest) (plugin.ReadResponse, error) {
			return c.read(req), nil
		},
		InvokeF: func(_ context.Context, req plugin.InvokeRequest) (plugin.InvokeResponse, error) {
			f, ok := invokes[req.Tok]
			if !ok {
				return plugin.InvokeResponse{}, fmt.Errorf("fake %s provider: no invoke %s", pkg, req.Tok)
			}
			c.mu.Lock()
			c.invokes[string(req.Tok)]++
			c.mu.Unlock()
			return plugin.InvokeResponse{
				Properties: resource.FromResourcePropertyMap(f(resource.ToResourcePropertyMap(req.Args))),
			}, nil
		},
	}
}

// log sends a provider log line to the engine, against a resource.
func log(host plugin.Host, sev diag.Severity, urn resource.URN, msg string) {
	if host != nil {
		host.Log(sev, urn, msg, 0)
	}
}

// defaultsKey: where the bridge lists the inputs its Check filled in.
const defaultsKey = "__defaults"

// check is the bridge's Check for one model: the autoname and the schema defaults of unset inputs.
func (m *resourceModel) check(name string, seed []byte, olds, news resource.PropertyMap) resource.PropertyMap {
	if !m.bridged {
		return news
	}
	out := news.Copy()
	unset := func(k string) bool {
		v, ok := out[resource.PropertyKey(k)]
		return !ok || v.IsNull()
	}
	// The old value stands in for a default only if the old inputs list it as one (or list nothing).
	oldDefault := func(k string) (resource.PropertyValue, bool) {
		v, ok := olds[resource.PropertyKey(k)]
		if !ok || v.IsNull() {
			return v, false
		}
		listed, has := olds[defaultsKey]
		if !has || !listed.IsArray() {
			return v, true
		}
		for _, e := range listed.ArrayValue() {
			if e.IsString() && e.StringValue() == k {
				return v, true
			}
		}
		return v, false
	}
	var applied []string
	if m.nameKey != "" && unset(m.nameKey) && (m.namePrefixKey == "" || unset(m.namePrefixKey)) {
		v, ok := oldDefault(m.nameKey)
		if !ok {
			base := name
			if m.nameTransform != nil {
				base = m.nameTransform(base)
			}
			v = s(autoName(base, seed))
		}
		out[resource.PropertyKey(m.nameKey)] = v
		applied = append(applied, m.nameKey)
	}
	for k, dv := range m.defaults {
		if unset(string(k)) {
			v, ok := oldDefault(string(k))
			if !ok {
				v = dv
			}
			out[k] = v
			applied = append(applied, string(k))
		}
	}
	sort.Strings(applied)
	listed := make([]resource.PropertyValue, len(applied))
	for i, k := range applied {
		listed[i] = s(k)
	}
	out[defaultsKey] = resource.NewArrayProperty(listed)
	return out
}

func autoName(name string, seed []byte) string {
	sum := sha256.Sum256(append([]byte(name), seed...))
	return name + "-" + hex.EncodeToString(sum[:])[:7]
}

// diffInputs compares old and new inputs as a bridged provider does: values, not secretness; an
// unknown new value is a change; a change to a ForceNew input replaces.
func diffInputs(m *resourceModel, olds, news resource.PropertyMap) plugin.DiffResult {
	// "__defaults" is the bridge's bookkeeping, not an input Terraform sees.
	olds, news = olds.Copy(), news.Copy()
	delete(olds, defaultsKey)
	delete(news, defaultsKey)
	diff := unsecret(olds).Diff(unsecret(news))
	if diff == nil || !diff.AnyChanges() {
		return plugin.DiffResult{Changes: plugin.DiffNone}
	}
	changed := map[resource.PropertyKey]bool{}
	var changedKeys []resource.PropertyKey
	for _, k := range diff.ChangedKeys() {
		changed[k] = true
		changedKeys = append(changedKeys, k)
	}
	replace := map[resource.PropertyKey]bool{}
	for _, k := range m.forceNew {
		if changed[resource.PropertyKey(k)] {
			replace[resource.PropertyKey(k)] = true
		}
	}
	if m.replaceIf != nil {
		for _, k := range m.replaceIf(news, changed) {
			replace[k] = true
		}
	}
	detailed := plugin.NewDetailedDiffFromObjectDiff(diff, true)
	for path, d := range detailed {
		root, err := resource.ParsePropertyPath(path)
		if err == nil && len(root) > 0 {
			if key, ok := root[0].(string); ok && replace[resource.PropertyKey(key)] {
				detailed[path] = d.ToReplace()
			}
		}
	}
	var replaceKeys []resource.PropertyKey
	for k := range replace {
		replaceKeys = append(replaceKeys, k)
	}
	sort.Slice(replaceKeys, func(i, j int) bool { return replaceKeys[i] < replaceKeys[j] })
	return plugin.DiffResult{
		Changes:      plugin.DiffSome,
		ChangedKeys:  changedKeys,
		ReplaceKeys:  replaceKeys,
		DetailedDiff: detailed,
	}
}

// unsecret drops secret markers, keeping the values.
func unsecret(m resource.PropertyMap) resource.PropertyMap {
	out := resource.PropertyMap{}
	for k, v := range m {
		out[k] = unsecretValue(v)
	}
	return out
}

func unsecretValue(v resource.PropertyValue) resource.PropertyValue {
	switch {
	case v.IsSecret():
		return unsecretValue(v.SecretValue().Element)
	case v.IsObject():
		return resource.NewObjectProperty(unsecret(v.ObjectValue()))
	case v.IsArray():
		arr := make([]resource.PropertyValue, len(v.ArrayValue()))
		for i, e := range v.ArrayValue() {
			arr[i] = unsecretValue(e)
		}
		return resource.NewArrayProperty(arr)
	case v.IsOutput():
		return unsecretValue(v.OutputValue().Element)
	}
	return v
}

// str reads a string input, "" when absent or not a known string.
func str(m resource.PropertyMap, key string) string {
	v := unsecretValue(m[resource.PropertyKey(key)])
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

func hexID(prefix string, n int, width int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s-%d", prefix, n)))
	return prefix + hex.EncodeToString(sum[:])[:width]
}

package engine_test

// What the fake cloud holds now, apart from the engine's state: Create and Update write it, Delete
// removes it, Read answers from it, and a scenario may change or delete a resource behind the
// engine's back (a console edit, another tool) to see what a refresh makes of it.

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

// liveKey: a cloud resource is known by its type and id (a bucket and its policy share an id).
type liveKey struct {
	typ tokens.Type
	id  resource.ID
}

type liveResource struct {
	// urn: only for a scenario to find the resource by its logical name.
	urn     resource.URN
	outputs resource.PropertyMap
}

func (c *fakeCloud) store(urn resource.URN, id resource.ID, outs resource.PropertyMap) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live[liveKey{urn.Type(), id}] = &liveResource{urn: urn, outputs: outs.Copy()}
}

func (c *fakeCloud) forget(typ tokens.Type, id resource.ID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.live, liveKey{typ, id})
}

// read is Read as a bridged provider answers it: the outputs are the cloud's; the inputs are the old
// inputs with each one the cloud also reports taken from the cloud (the bridge's
// ExtractInputsFromOutputs); a resource the cloud no longer has comes back without outputs, which
// the engine takes as deleted.
func (c *fakeCloud) read(req plugin.ReadRequest) plugin.ReadResponse {
	c.mu.Lock()
	r, ok := c.live[liveKey{req.URN.Type(), req.ID}]
	var outs resource.PropertyMap
	if ok {
		outs = r.outputs.Copy()
	}
	c.mu.Unlock()
	if !ok {
		return plugin.ReadResponse{ReadResult: plugin.ReadResult{ID: ""}, Status: resource.StatusOK}
	}
	ins := resource.ToResourcePropertyMap(req.Inputs)
	for k := range ins {
		if v, has := outs[k]; has && k != defaultsKey {
			if ins[k].IsSecret() && !v.IsSecret() {
				v = resource.MakeSecret(v)
			}
			ins[k] = v
		}
	}
	inputs, outputs := resource.FromResourcePropertyMap(ins), resource.FromResourcePropertyMap(outs)
	return plugin.ReadResponse{ReadResult: plugin.ReadResult{
		ID: req.ID, Inputs: &inputs, Outputs: &outputs,
	}, Status: resource.StatusOK}
}

// findLive: the one live resource of typ whose logical name contains nameHas.
func (c *fakeCloud) findLive(typ tokens.Type, nameHas string) (*liveResource, liveKey, error) {
	var found []liveKey
	for k, r := range c.live {
		if k.typ == typ && strings.Contains(r.urn.Name(), nameHas) {
			found = append(found, k)
		}
	}
	if len(found) != 1 {
		return nil, liveKey{}, fmt.Errorf("the cloud holds %d %s named like %q, not one", len(found), typ, nameHas)
	}
	return c.live[found[0]], found[0], nil
}

// changeOutOfBand sets one property of a live resource, as an edit outside Pulumi would.
func (c *fakeCloud) changeOutOfBand(typ tokens.Type, nameHas string, key resource.PropertyKey, v resource.PropertyValue) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, _, err := c.findLive(typ, nameHas)
	if err != nil {
		return err
	}
	r.outputs[key] = v
	return nil
}

// deleteOutOfBand removes a live resource, as a deletion outside Pulumi would.
func (c *fakeCloud) deleteOutOfBand(typ tokens.Type, nameHas string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, k, err := c.findLive(typ, nameHas)
	if err != nil {
		return err
	}
	delete(c.live, k)
	return nil
}

// liveNamed: the logical names of the live resources whose name contains nameHas, by type.
func (c *fakeCloud) liveNamed(nameHas string) map[tokens.Type][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[tokens.Type][]string{}
	for k, r := range c.live {
		if strings.Contains(r.urn.Name(), nameHas) {
			out[k.typ] = append(out[k.typ], r.urn.Name())
		}
	}
	return out
}

// liveOutputs: a copy of what the cloud holds for the one resource of typ named like nameHas.
func (c *fakeCloud) liveOutputs(typ tokens.Type, nameHas string) (resource.PropertyMap, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, _, err := c.findLive(typ, nameHas)
	if err != nil {
		return nil, err
	}
	return r.outputs.Copy(), nil
}

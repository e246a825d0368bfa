package engine_test

// A program of cloud resources alone, no component: what a fake provider's model does, seen
// through the engine (Check, Diff, Create, Update) as a user's program would see it.

import (
	"fmt"

	"github.com/pulumi/pulumi/pkg/v3/resource/deploy/deploytest"
	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

type customResource struct {
	typ    tokens.Type
	name   string
	inputs resource.PropertyMap
}

type customProgram []customResource

func (p customProgram) config() config.Map { return regionConfig() }

func (p customProgram) program(_ *received) deploytest.ProgramFunc {
	return func(_ plugin.RunInfo, monitor *deploytest.ResourceMonitor) error {
		for _, r := range p {
			if _, err := monitor.RegisterResource(r.typ, r.name, true,
				deploytest.ResourceOptions{Inputs: r.inputs}); err != nil {
				return fmt.Errorf("registering %s %s: %w", r.typ, r.name, err)
			}
		}
		return nil
	}
}

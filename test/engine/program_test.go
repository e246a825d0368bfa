package engine_test

// The program: what a Go or Python user's program sends the engine when it builds a SharedDevHost
// from Pulumi.services.yaml (index.ts's servicesStack: rolepair:services → services, the host's
// settings as given), registered as a remote component so that the engine has the rolepair plugin
// Construct it. Inputs go as output values, as the Go SDK sends them to a remote component.

import (
	"fmt"
	"sort"
	"sync"

	"github.com/pulumi/pulumi/pkg/v3/resource/deploy/deploytest"
	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

const sharedDevHostType = "rolepair:index:SharedDevHost"

// stack is one version of the user's program.
type stack struct {
	// services by name, each with its settings (externalId, ...): Pulumi.services.yaml's entries.
	services map[string]map[string]string
	// sshIngressCidr as the operator sets it in config.
	sshIngressCidr string
	// network: the subnet and the SSH CIDR come from resources of the same program (a subnet, an
	// Elastic IP), so they are unknown during a preview of a new stack.
	network bool
	// subnetCidr: the network's subnet id as the cloud will answer it (network only); "" a valid one.
	subnetID string
	// sshKeyPair: the operator's own key, the private half given as a secret.
	sshKeyPair *keyPair
	// instanceType as the operator sets it ("" the component's default).
	instanceType string
	// credentialAgent: the component's credentialAgent input set true (unset otherwise).
	credentialAgent bool
}

type keyPair struct{ public, private string }

// servicesStack is Pulumi.services.yaml: service-a, service-b and service-c, aws:region us-east-1.
func servicesStack() stack {
	return stack{
		services: map[string]map[string]string{
			"service-a": {}, "service-b": {}, "service-c": {},
		},
		sshIngressCidr: "203.0.113.7/32",
	}
}

// received is what the program got back from the engine.
type received struct {
	mu sync.Mutex
	// component: the SharedDevHost's registration response (URN and outputs after Construct).
	component *deploytest.RegisterResourceResponse
	err       error
}

func (r *received) get() (*deploytest.RegisterResourceResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.component, r.err
}

func outputValue(v resource.PropertyValue, secret bool, deps ...resource.URN) resource.PropertyValue {
	return resource.NewOutputProperty(resource.Output{
		Element: v, Known: !v.IsComputed(), Secret: secret, Dependencies: deps,
	})
}

// program registers the stack's resources; the component's response goes to got.
func (s stack) program(got *received) deploytest.ProgramFunc {
	return func(_ plugin.RunInfo, monitor *deploytest.ResourceMonitor) error {
		inputs := resource.PropertyMap{}
		deps := map[resource.PropertyKey][]resource.URN{}
		var dependencies []resource.URN

		names := make([]string, 0, len(s.services))
		for name := range s.services {
			names = append(names, name)
		}
		sort.Strings(names)
		services := resource.PropertyMap{}
		for _, name := range names {
			settings := resource.PropertyMap{}
			for k, v := range s.services[name] {
				settings[resource.PropertyKey(k)] = resource.NewStringProperty(v)
			}
			services[resource.PropertyKey(name)] = resource.NewObjectProperty(settings)
		}
		inputs["services"] = resource.NewObjectProperty(services)

		if s.network {
			subnet, err := monitor.RegisterResource("aws:ec2/subnet:Subnet", "dev-subnet", true,
				deploytest.ResourceOptions{Inputs: resource.PropertyMap{
					"vpcId": resource.NewStringProperty("vpc-0c0ffee0c0ffee000"), "cidrBlock": resource.NewStringProperty("10.0.1.0/24"),
				}})
			if err != nil {
				return err
			}
			eip, err := monitor.RegisterResource("aws:ec2/eip:Eip", "operator-address", true,
				deploytest.ResourceOptions{Inputs: resource.PropertyMap{"domain": resource.NewStringProperty("vpc")}})
			if err != nil {
				return err
			}
			subnetID := resource.MakeComputed(resource.NewStringProperty(""))
			if !subnet.Unknown && subnet.ID != "" {
				subnetID = resource.NewStringProperty(string(subnet.ID))
			}
			cidr := resource.MakeComputed(resource.NewStringProperty(""))
			if ip := subnetOrIP(eip.Outputs, "publicIp"); ip != "" {
				cidr = resource.NewStringProperty(ip + "/32")
			}
			inputs["subnetId"] = outputValue(subnetID, false, subnet.URN)
			inputs["sshIngressCidr"] = outputValue(cidr, false, eip.URN)
			deps["subnetId"] = []resource.URN{subnet.URN}
			deps["sshIngressCidr"] = []resource.URN{eip.URN}
			dependencies = append(dependencies, subnet.URN, eip.URN)
		} else {
			inputs["sshIngressCidr"] = resource.NewStringProperty(s.sshIngressCidr)
		}
		if s.instanceType != "" {
			inputs["instanceType"] = resource.NewStringProperty(s.instanceType)
		}
		if s.credentialAgent {
			inputs["credentialAgent"] = resource.NewBoolProperty(true)
		}
		if s.sshKeyPair != nil {
			inputs["sshPublicKey"] = resource.NewStringProperty(s.sshKeyPair.public)
			inputs["sshPrivateKey"] = outputValue(resource.NewStringProperty(s.sshKeyPair.private), true)
		}

		resp, err := monitor.RegisterResource(sharedDevHostType, "rolepair", false, deploytest.ResourceOptions{
			Remote:       true,
			Version:      rolepairVersion,
			Inputs:       inputs,
			PropertyDeps: deps,
			Dependencies: dependencies,
		})
		got.mu.Lock()
		got.component, got.err = resp, err
		got.mu.Unlock()
		if err != nil {
			return fmt.Errorf("registering the SharedDevHost: %w", err)
		}
		return nil
	}
}

func subnetOrIP(outs resource.PropertyMap, key string) string {
	v := unsecretValue(outs[resource.PropertyKey(key)])
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

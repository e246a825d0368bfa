// The walkthrough's three services on one shared host, and one assumable role pair, from Go.
//
// Before `pulumi up`: generate the SDK used here into sdks/rolepair (go.mod's replace line points
// there) as README.md shows.
package main

import (
	"example.com/pulumi-rolepair/sdk/go/rolepair"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(program)
}

func program(ctx *pulumi.Context) error {
	outputs, err := deploy(ctx)
	if err != nil {
		return err
	}
	ctx.Export("hostRoleArn", outputs.services.HostRoleArn)
	ctx.Export("services", outputs.services.Services)
	ctx.Export("pairHostRoleArn", outputs.pair.HostRoleArn)
	ctx.Export("targetRoleArn", outputs.pair.TargetRoleArn)
	ctx.Export("bucketName", outputs.pair.BucketName)
	return nil
}

// stack is what the program builds; main_test.go reads the components' outputs from it.
type stack struct {
	services *rolepair.SharedDevHost
	pair     *rolepair.AssumableRolePair
}

func deploy(ctx *pulumi.Context) (*stack, error) {
	sshIngressCidr := config.Require(ctx, "sshIngressCidr")

	// One host; each service gets its own role and its own private bucket, and the proof shows the
	// host role denied every bucket and each service reaching only its own.
	services, err := rolepair.NewSharedDevHost(ctx, "services", &rolepair.SharedDevHostArgs{
		Services: map[string]rolepair.SharedServiceArgs{
			"service-a": {},
			"service-b": {
				ObjectActions: []rolepair.ObjectAction{
					rolepair.ObjectActionGetObject,
					rolepair.ObjectActionPutObject,
				},
			},
			"service-c": {
				TrustMode:          ref(rolepair.TrustModeAccountRoot),
				MaxSessionDuration: pulumi.Float64Ref(7200),
			},
		},
		SshIngressCidr: pulumi.String(sshIngressCidr),
	})
	if err != nil {
		return nil, err
	}

	// A host role that can only assume one target role, which alone reaches its bucket.
	pair, err := rolepair.NewAssumableRolePair(ctx, "pair", &rolepair.AssumableRolePairArgs{
		TrustMode:      ref(rolepair.TrustModeRole),
		AwsProfileName: pulumi.StringRef("target"),
		SshIngressCidr: pulumi.String(sshIngressCidr),
	})
	if err != nil {
		return nil, err
	}
	return &stack{services: services, pair: pair}, nil
}

// ref points at a copy of v: the SDK takes optional plain inputs (enums too) as pointers.
func ref[T any](v T) *T { return &v }

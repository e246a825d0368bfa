package engine_test

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/pkg/v3/resource/deploy/deploytest"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

// The AMI the SSM parameter names: what aws.ssm.getParameter returns for the AL2023 parameter.
const al2023Ami = "ami-0a1b2c3d4e5f67890"

func withInputs(ins resource.PropertyMap, extra resource.PropertyMap) resource.PropertyMap {
	out := ins.Copy()
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func s(v string) resource.PropertyValue { return resource.NewStringProperty(v) }

func boolv(v bool) resource.PropertyValue { return resource.NewBoolProperty(v) }

func numv(v float64) resource.PropertyValue { return resource.NewNumberProperty(v) }

// iamARN: an IAM ARN under its path ("/" unless set): role/<name> only at the root path.
func iamARN(kind string, ins resource.PropertyMap, name string) string {
	path := str(ins, "path")
	if path == "" {
		path = "/"
	}
	return fmt.Sprintf("arn:aws:iam::%s:%s%s%s", accountID, kind, path, name)
}

// The Terraform schema defaults Check applies (terraform-provider-aws internal/service/...), only
// those the components or these scenarios depend on:
//   - aws_iam_role `path` "/": the ARNs the trust and access policies name are role/<name> only
//     there; `max_session_duration` 3600: the host role leaves it unset; `force_detach_policies`
//     false: a role is deleted only once its policies and attachments are (the destroy order).
//   - aws_iam_instance_profile `path` "/": its ARN.
//   - aws_s3_bucket `force_destroy` false: a bucket the posture did not mark keeps its objects.
//   - aws_instance `user_data_replace_on_change` false: the user-data rule (replaceIf) reads it.
//   - aws_security_group `description` "Managed by Pulumi" (pulumi-aws overrides Terraform's
//     "Managed by Terraform"): ForceNew, so the component's own description must reach the cloud.
var (
	roleDefaults = resource.PropertyMap{
		"path": s("/"), "maxSessionDuration": numv(3600), "forceDetachPolicies": boolv(false),
	}
	instanceProfileDefaults = resource.PropertyMap{"path": s("/")}
	bucketDefaults          = resource.PropertyMap{"forceDestroy": boolv(false)}
	instanceDefaults        = resource.PropertyMap{"userDataReplaceOnChange": boolv(false)}
	securityGroupDefaults   = resource.PropertyMap{"description": s("Managed by Pulumi")}
)

// byName: resources whose id is their name (SSM parameters).
func byName(key string, extra func(name string) resource.PropertyMap) func(*fakeCloud, int, resource.PropertyMap) (resource.ID, resource.PropertyMap) {
	return func(_ *fakeCloud, _ int, ins resource.PropertyMap) (resource.ID, resource.PropertyMap) {
		name := str(ins, key)
		return resource.ID(name), withInputs(ins, extra(name))
	}
}

// bucketChild: an S3 bucket configuration resource, identified by its bucket.
var bucketChild = &resourceModel{
	forceNew: []string{"bucket", "expectedBucketOwner"},
	outputs: func(_ *fakeCloud, _ int, ins resource.PropertyMap) (resource.ID, resource.PropertyMap) {
		return resource.ID(str(ins, "bucket")), ins.Copy()
	},
}

func (c *fakeCloud) awsLoader() *deploytest.ProviderLoader {
	models := map[tokens.Type]*resourceModel{
		"aws:iam/role:Role": {
			nameKey: "name", namePrefixKey: "namePrefix", bridged: true, defaults: roleDefaults,
			forceNew: []string{"name", "namePrefix", "path"},
			outputs: func(_ *fakeCloud, _ int, ins resource.PropertyMap) (resource.ID, resource.PropertyMap) {
				name := str(ins, "name")
				return resource.ID(name), withInputs(ins, resource.PropertyMap{
					"arn":      s(iamARN("role", ins, name)),
					"uniqueId": s(hexID("AROA", len(name), 17)),
				})
			},
		},
		"aws:iam/instanceProfile:InstanceProfile": {
			nameKey: "name", namePrefixKey: "namePrefix", bridged: true, defaults: instanceProfileDefaults,
			forceNew: []string{"name", "namePrefix", "path"},
			outputs: func(_ *fakeCloud, _ int, ins resource.PropertyMap) (resource.ID, resource.PropertyMap) {
				name := str(ins, "name")
				return resource.ID(name), withInputs(ins, resource.PropertyMap{
					"arn":      s(iamARN("instance-profile", ins, name)),
					"uniqueId": s(hexID("AIPA", len(name), 17)),
				})
			},
		},
		"aws:iam/rolePolicy:RolePolicy": {
			nameKey: "name", namePrefixKey: "namePrefix", bridged: true,
			forceNew: []string{"name", "namePrefix", "role"},
			outputs: func(_ *fakeCloud, _ int, ins resource.PropertyMap) (resource.ID, resource.PropertyMap) {
				return resource.ID(str(ins, "role") + ":" + str(ins, "name")), ins.Copy()
			},
		},
		"aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
			forceNew: []string{"role", "policyArn"},
			outputs: func(_ *fakeCloud, n int, ins resource.PropertyMap) (resource.ID, resource.PropertyMap) {
				return resource.ID(fmt.Sprintf("%s-%d", str(ins, "role"), n)), ins.Copy()
			},
		},
		// aws_ssm_parameter: name is ForceNew; value, type, tier and description update in place
		// (terraform-provider-aws internal/service/ssm/parameter.go). Its id is its name.
		"aws:ssm/parameter:Parameter": {
			forceNew: []string{"name"},
			outputs: byName("name", func(name string) resource.PropertyMap {
				return resource.PropertyMap{
					"arn":     s(fmt.Sprintf("arn:aws:ssm:us-east-1:%s:parameter%s", accountID, name)),
					"version": resource.NewNumberProperty(1),
				}
			}),
		},
		// The bucket's name: `bucket` as given, else the autoname (lowercased: S3 refuses capitals),
		// else at create `bucketPrefix` and a unique id.
		"aws:s3/bucket:Bucket": {
			nameKey: "bucket", namePrefixKey: "bucketPrefix", nameTransform: strings.ToLower,
			bridged: true, defaults: bucketDefaults,
			forceNew: []string{"bucket", "bucketPrefix"},
			outputs: func(_ *fakeCloud, n int, ins resource.PropertyMap) (resource.ID, resource.PropertyMap) {
				name := str(ins, "bucket")
				if name == "" {
					// bucketPrefix: the bridge appends a timestamp-and-counter suffix.
					name = fmt.Sprintf("%s%026d", str(ins, "bucketPrefix"), n)
				}
				return resource.ID(name), withInputs(ins, resource.PropertyMap{
					"bucket":           s(name),
					"arn":              s("arn:aws:s3:::" + name),
					"bucketDomainName": s(name + ".s3.amazonaws.com"),
					"region":           s("us-east-1"),
				})
			},
		},
		"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                                 bucketChild,
		"aws:s3/bucketOwnershipControls:BucketOwnershipControls":                                 bucketChild,
		"aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": bucketChild,
		"aws:s3/bucketVersioning:BucketVersioning":                                               bucketChild,
		"aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration":                       bucketChild,
		"aws:s3/bucketLogging:BucketLogging":                                                     bucketChild,
		"aws:s3/bucketPolicy:BucketPolicy":                                                       bucketChild,
		"aws:ec2/securityGroup:SecurityGroup": {
			nameKey: "name", namePrefixKey: "namePrefix", bridged: true, defaults: securityGroupDefaults,
			forceNew: []string{"name", "namePrefix", "description", "vpcId"},
			outputs: func(_ *fakeCloud, n int, ins resource.PropertyMap) (resource.ID, resource.PropertyMap) {
				id := hexID("sg-", n, 17)
				return resource.ID(id), withInputs(ins, resource.PropertyMap{
					"arn":     s(fmt.Sprintf("arn:aws:ec2:us-east-1:%s:security-group/%s", accountID, id)),
					"ownerId": s(accountID),
				})
			},
		},
		"aws:ec2/keyPair:KeyPair": {
			nameKey: "keyName", namePrefixKey: "keyNamePrefix", bridged: true,
			forceNew: []string{"keyName", "keyNamePrefix", "publicKey"},
			outputs: func(_ *fakeCloud, n int, ins resource.PropertyMap) (resource.ID, resource.PropertyMap) {
				name := str(ins, "keyName")
				return resource.ID(name), withInputs(ins, resource.PropertyMap{
					"arn":       s(fmt.Sprintf("arn:aws:ec2:us-east-1:%s:key-pair/%s", accountID, name)),
					"keyPairId": s(hexID("key-", n, 17)),
				})
			},
		},
		// The program's own network resources (scenario 1): a subnet and the operator's address.
		"aws:ec2/subnet:Subnet": {
			forceNew: []string{"vpcId", "cidrBlock", "availabilityZone"},
			outputs: func(c *fakeCloud, n int, ins resource.PropertyMap) (resource.ID, resource.PropertyMap) {
				id := c.subnetID
				if id == "" {
					id = hexID("subnet-", n, 17)
				}
				return resource.ID(id), withInputs(ins, resource.PropertyMap{"availabilityZone": s("us-east-1a")})
			},
		},
		"aws:ec2/eip:Eip": {
			forceNew: []string{"domain"},
			outputs: func(_ *fakeCloud, n int, ins resource.PropertyMap) (resource.ID, resource.PropertyMap) {
				return resource.ID(hexID("eipalloc-", n, 17)),
					withInputs(ins, resource.PropertyMap{"publicIp": s(fmt.Sprintf("192.0.2.%d", n%250+1))})
			},
		},
		"aws:ec2/instance:Instance": {
			bridged: true, defaults: instanceDefaults,
			forceNew: []string{"ami", "subnetId", "keyName", "availabilityZone", "associatePublicIpAddress"},
			replaceIf: func(news resource.PropertyMap, changed map[resource.PropertyKey]bool) []resource.PropertyKey {
				replaceOnChange := unsecretValue(news["userDataReplaceOnChange"])
				if changed["userData"] && replaceOnChange.IsBool() && replaceOnChange.BoolValue() {
					return []resource.PropertyKey{"userData"}
				}
				return nil
			},
			// Stopped and started for a new type or new user data: a new public address.
			updated: func(n int, changed map[resource.PropertyKey]bool, outs resource.PropertyMap) {
				if changed["instanceType"] || changed["userData"] || changed["userDataBase64"] {
					outs["publicIp"] = s(fmt.Sprintf("198.51.100.%d", n%250+1))
				}
			},
			outputs: func(_ *fakeCloud, n int, ins resource.PropertyMap) (resource.ID, resource.PropertyMap) {
				id := hexID("i-", n, 17)
				return resource.ID(id), withInputs(ins, resource.PropertyMap{
					"arn":           s(fmt.Sprintf("arn:aws:ec2:us-east-1:%s:instance/%s", accountID, id)),
					"publicIp":      s(fmt.Sprintf("198.51.100.%d", n%250+1)),
					"privateIp":     s(fmt.Sprintf("172.31.0.%d", n%250+1)),
					"instanceState": s("running"),
				})
			},
		},
	}
	invokes := map[tokens.ModuleMember]func(resource.PropertyMap) resource.PropertyMap{
		"aws:index/getPartition:getPartition": func(resource.PropertyMap) resource.PropertyMap {
			return resource.PropertyMap{"id": s("aws"), "partition": s("aws"),
				"dnsSuffix": s("amazonaws.com"), "reverseDnsPrefix": s("com.amazonaws")}
		},
		"aws:index/getCallerIdentity:getCallerIdentity": func(resource.PropertyMap) resource.PropertyMap {
			return resource.PropertyMap{"id": s(accountID), "accountId": s(accountID),
				"arn": s(fmt.Sprintf("arn:aws:iam::%s:user/operator", accountID)), "userId": s("AIDAEXAMPLEOPERATOR")}
		},
		"aws:index/getRegion:getRegion": func(resource.PropertyMap) resource.PropertyMap {
			return resource.PropertyMap{"id": s("us-east-1"), "region": s("us-east-1"), "name": s("us-east-1"),
				"endpoint": s("ec2.us-east-1.amazonaws.com"), "description": s("US East (N. Virginia)")}
		},
		"aws:ssm/getParameter:getParameter": func(args resource.PropertyMap) resource.PropertyMap {
			name := str(args, "name")
			return resource.PropertyMap{"id": s(name), "name": s(name), "type": s("String"),
				"value": resource.MakeSecret(s(al2023Ami)), "insecureValue": s(al2023Ami), "version": resource.NewNumberProperty(1),
				"arn": s("arn:aws:ssm:us-east-1::parameter" + name), "withDecryption": resource.NewBoolProperty(true)}
		},
		"aws:ec2/getSubnet:getSubnet": func(args resource.PropertyMap) resource.PropertyMap {
			return resource.PropertyMap{"id": s(str(args, "id")), "vpcId": s("vpc-0c0ffee0c0ffee000"),
				"availabilityZone": s("us-east-1a"), "cidrBlock": s("10.0.1.0/24")}
		},
		"aws:ec2/getVpc:getVpc": func(resource.PropertyMap) resource.PropertyMap {
			return resource.PropertyMap{"id": s("vpc-0defa017defa01700"), "default": resource.NewBoolProperty(true),
				"cidrBlock": s("172.31.0.0/16")}
		},
	}
	return c.loader("aws", awsVersion, models, invokes)
}

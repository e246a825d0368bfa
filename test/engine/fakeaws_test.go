package engine_test

import (
	"fmt"

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

// byName: resources whose id is their name (IAM roles and profiles, buckets, key pairs).
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
			nameKey:  "name",
			forceNew: []string{"name", "namePrefix", "path"},
			outputs: byName("name", func(name string) resource.PropertyMap {
				return resource.PropertyMap{
					"arn":      s(fmt.Sprintf("arn:aws:iam::%s:role/%s", accountID, name)),
					"uniqueId": s(hexID("AROA", len(name), 17)),
				}
			}),
		},
		"aws:iam/instanceProfile:InstanceProfile": {
			nameKey:  "name",
			forceNew: []string{"name", "namePrefix", "path"},
			outputs: byName("name", func(name string) resource.PropertyMap {
				return resource.PropertyMap{
					"arn":      s(fmt.Sprintf("arn:aws:iam::%s:instance-profile/%s", accountID, name)),
					"uniqueId": s(hexID("AIPA", len(name), 17)),
				}
			}),
		},
		"aws:iam/rolePolicy:RolePolicy": {
			nameKey:  "name",
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
		"aws:s3/bucket:Bucket": {
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
			nameKey:  "name",
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
			nameKey:  "keyName",
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
			forceNew: []string{"ami", "subnetId", "keyName", "availabilityZone", "associatePublicIpAddress"},
			replaceIf: func(news resource.PropertyMap, changed map[resource.PropertyKey]bool) []resource.PropertyKey {
				replaceOnChange := unsecretValue(news["userDataReplaceOnChange"])
				if changed["userData"] && replaceOnChange.IsBool() && replaceOnChange.BoolValue() {
					return []resource.PropertyKey{"userData"}
				}
				return nil
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

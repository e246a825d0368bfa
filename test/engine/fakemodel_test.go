package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi/pulumi/pkg/v3/display"
	. "github.com/pulumi/pulumi/pkg/v3/engine"
	lt "github.com/pulumi/pulumi/pkg/v3/engine/lifecycletest/framework"
	"github.com/pulumi/pulumi/pkg/v3/resource/deploy"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

const (
	bucketType   = tokens.Type("aws:s3/bucket:Bucket")
	instanceType = tokens.Type("aws:ec2/instance:Instance")
)

// The Bucket's name as pulumi-aws gives it: unset, the logical name lowercased and a 7-hex
// suffix, kept on later ups; beside a bucketPrefix, no autoname (the prefix and a unique id at
// create); given, as given. forceDestroy is false unless set, and the checked inputs list what
// Check filled in. A name that was given and is then dropped was never a default: the bucket
// gets an autoname, and is replaced.
func TestBucketNamesAndDefaults(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	buckets := func(namedBucket resource.PropertyMap) customProgram {
		return customProgram{
			{bucketType, "Logs-Archive", resource.PropertyMap{}},
			{bucketType, "prefixed", resource.PropertyMap{"bucketPrefix": s("pfx-")}},
			{bucketType, "named", namedBucket},
		}
	}
	given := resource.PropertyMap{"bucket": s("my-exact-bucket"), "forceDestroy": boolv(true)}
	up := d.run(lt.TestOp(Update), false, buckets(given))
	require.NoError(t, up.err)

	autonamed := lastInputs(t, d.cloud, string(bucketType), "Logs-Archive")
	assert.Regexp(t, `^logs-archive-[0-9a-f]{7}$`, str(autonamed, "bucket"))
	assert.Equal(t, boolv(false), autonamed["forceDestroy"], "an unset forceDestroy")
	assert.Equal(t, strs("bucket", "forceDestroy"), autonamed[defaultsKey])

	prefixed := lastInputs(t, d.cloud, string(bucketType), "prefixed")
	_, hasName := prefixed["bucket"]
	assert.False(t, hasName, "Check named a bucket that has a bucketPrefix: %v", prefixed["bucket"])
	assert.Equal(t, strs("forceDestroy"), prefixed[defaultsKey])
	live, err := d.cloud.liveOutputs(bucketType, "prefixed")
	require.NoError(t, err)
	assert.Regexp(t, `^pfx-[0-9]{26}$`, str(live, "bucket"))

	exact := lastInputs(t, d.cloud, string(bucketType), "named")
	assert.Equal(t, "my-exact-bucket", str(exact, "bucket"))
	assert.Equal(t, boolv(true), exact["forceDestroy"], "a forceDestroy that was set")
	assert.Equal(t, strs(), exact[defaultsKey])

	again := d.run(lt.TestOp(Update), false, buckets(given))
	require.NoError(t, again.err)
	for _, st := range again.steps {
		assert.Equal(t, deploy.OpSame, st.op, "second up: %s (diff %v)", named(st.urn), st.diff)
	}
	assert.Empty(t, d.cloud.recorded(), "the second up changed the cloud")

	dropped := d.run(lt.TestOp(Update), false, buckets(resource.PropertyMap{}))
	require.NoError(t, dropped.err)
	ops := opsByResource(customResources(dropped.steps))
	assert.Contains(t, ops["aws:s3/bucket:Bucket::named"], display.StepOp(deploy.OpReplace),
		"the bucket whose name was dropped: %v", ops["aws:s3/bucket:Bucket::named"])
	assert.Regexp(t, `^named-[0-9a-f]{7}$`, str(lastInputs(t, d.cloud, string(bucketType), "named"), "bucket"))
}

// The fake's aws_instance user-data rule, seen without the component (whose ignoreChanges keep
// user data from ever changing): new user data replaces an instance with
// userDataReplaceOnChange, and updates one without it (Check's default, false) in place, which
// stops and starts it on a new public address.
func TestInstanceUserDataRule(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	instances := func(userData string) customProgram {
		base := resource.PropertyMap{"ami": s(al2023Ami), "instanceType": s("t3.micro"), "userData": s(userData)}
		replacing := base.Copy()
		replacing["userDataReplaceOnChange"] = boolv(true)
		return customProgram{{instanceType, "replacing", replacing}, {instanceType, "updating", base}}
	}
	require.NoError(t, d.run(lt.TestOp(Update), false, instances("#!/bin/bash\necho one\n")).err)
	assert.Equal(t, boolv(false), lastInputs(t, d.cloud, string(instanceType), "updating")["userDataReplaceOnChange"])
	before, err := d.cloud.liveOutputs(instanceType, "updating")
	require.NoError(t, err)

	up := d.run(lt.TestOp(Update), false, instances("#!/bin/bash\necho two\n"))
	require.NoError(t, up.err)
	for _, st := range ofType(up.steps, instanceType) {
		switch st.urn.Name() {
		case "replacing":
			if st.op == deploy.OpReplace {
				assert.Equal(t, []resource.PropertyKey{"userData"}, st.keys, "replacing: the replace keys")
			}
		case "updating":
			assert.Equal(t, deploy.OpUpdate, st.op, "updating: %s (replace keys %v)", st.op, st.keys)
			assert.Empty(t, st.keys, "updating: replace keys")
		}
	}
	ops := opsByResource(customResources(up.steps))
	assert.Contains(t, ops["aws:ec2/instance:Instance::replacing"], display.StepOp(deploy.OpReplace))
	after, err := d.cloud.liveOutputs(instanceType, "updating")
	require.NoError(t, err)
	assert.Equal(t, str(before, "arn"), str(after, "arn"), "the updated instance is another one")
	assert.NotEqual(t, str(before, "publicIp"), str(after, "publicIp"), "a stop and start kept the public address")
}

func strs(values ...string) resource.PropertyValue {
	out := make([]resource.PropertyValue, len(values))
	for i, v := range values {
		out[i] = s(v)
	}
	return resource.NewArrayProperty(out)
}

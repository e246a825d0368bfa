package engine_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/pkg/v3/resource/deploy/deploytest"
	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

// The host's ECDSA key as the host-key reader prints it (verify/operator/hostKey): "<type> <base64>".
var fakeHostKey = "ecdsa-sha2-nistp256 " + base64.StdEncoding.EncodeToString(
	append([]byte("\x00\x00\x00\x13ecdsa-sha2-nistp256\x00\x00\x00\x08nistp256\x00\x00\x00\x41\x04"),
		make([]byte, 64)...))

// The generated key's private half: what scenario 4 looks for in the state.
const generatedPrivateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nFAKE-GENERATED-ED25519\n-----END OPENSSH PRIVATE KEY-----\n"

func (c *fakeCloud) tlsLoader() *deploytest.ProviderLoader {
	models := map[tokens.Type]*resourceModel{
		"tls:index/privateKey:PrivateKey": {
			forceNew: []string{"algorithm", "ecdsaCurve", "rsaBits"},
			outputs: func(_ *fakeCloud, n int, ins resource.PropertyMap) (resource.ID, resource.PropertyMap) {
				return resource.ID(hexID("", n, 40)), withInputs(ins, resource.PropertyMap{
					"privateKeyOpenssh": resource.MakeSecret(s(generatedPrivateKey)),
					"privateKeyPem":     resource.MakeSecret(s(generatedPrivateKey)),
					"publicKeyOpenssh":  s("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeGeneratedKeyForEngineTests0000000\n"),
					"publicKeyPem":      s("-----BEGIN PUBLIC KEY-----\nFAKE\n-----END PUBLIC KEY-----\n"),
				})
			},
		},
	}
	return c.loader("tls", tlsVersion, models, nil)
}

func (c *fakeCloud) commandLoader() *deploytest.ProviderLoader {
	command := func(
		run func(*fakeCloud, plugin.Host, resource.URN, resource.PropertyMap) (resource.PropertyMap, error),
	) *resourceModel {
		return &resourceModel{
			outputs: func(_ *fakeCloud, n int, ins resource.PropertyMap) (resource.ID, resource.PropertyMap) {
				return resource.ID(fmt.Sprintf("cmd-%d", n)), ins.Copy()
			},
			run: run,
		}
	}
	models := map[tokens.Type]*resourceModel{
		"command:local:Command":       command(runLocal),
		"command:remote:Command":      command(runRemote),
		"command:remote:CopyToRemote": command(nil),
	}
	return c.loader("command", commandVersion, models, nil)
}

// runLocal answers the operator-side commands: the host-key reader prints the host's key.
func runLocal(_ *fakeCloud, _ plugin.Host, _ resource.URN, ins resource.PropertyMap) (resource.PropertyMap, error) {
	create := str(ins, "create")
	if strings.Contains(create, "host-key.js") {
		return resource.PropertyMap{"stdout": s(fakeHostKey + "\n"), "stderr": s("")}, nil
	}
	return nil, fmt.Errorf("fake command provider: no local command modelled for %q", create)
}

// runRemote answers the commands run on the host: the wait for cloud-init, the profile sync and
// the proof. There is no host behind it, and what it answers proves nothing about one: the sync
// "passes" whenever its script on stdin mentions rolepair-sync-profiles (nothing is installed,
// no parameter is read, no config is written), and the proof's report is made up from the plan
// on stdin, every step OK unless failProof is set (no role is assumed, no bucket is reached). A
// scenario can conclude only what the engine did: which commands it ran, in what order, with
// what create command and stdin (services_test.go assertHostCommands). The host layer
// (test/host) runs these commands for real.
func runRemote(c *fakeCloud, host plugin.Host, urn resource.URN, ins resource.PropertyMap) (resource.PropertyMap, error) {
	create := str(ins, "create")
	conn := unsecretValue(ins["connection"])
	if !conn.IsObject() || str(conn.ObjectValue(), "hostKey") != fakeHostKey || str(conn.ObjectValue(), "privateKey") == "" {
		// pulumi-command refuses a host whose key differs from the pinned one.
		return nil, errors.New("ssh: handshake failed: host key mismatch (or no private key)")
	}
	switch {
	case strings.HasPrefix(create, "cloud-init status --wait"):
		return resource.PropertyMap{"stdout": s("v20.18.0\n"), "stderr": s("")}, nil
	case strings.Contains(create, "sudo -n bash -s"):
		// The profile sync (contract/profileSync.ts): its script arrives on stdin, installs the
		// agent if missing and runs one sync from SSM Parameter Store. Here: a string match only.
		if !strings.Contains(str(ins, "stdin"), "rolepair-sync-profiles") {
			return nil, errors.New("profile sync: the script on stdin does not run rolepair-sync-profiles")
		}
		return resource.PropertyMap{"stdout": s("profiles synced\n"), "stderr": s("")}, nil
	case strings.Contains(create, "rolepair-verify.js"):
		// A fabricated report: the plan's targets, all OK (proofReport).
		targets, err := proofTargets(create, str(ins, "stdin"))
		if err != nil {
			return nil, err
		}
		report := proofReport(targets, c.failProof)
		out, err := json.Marshal(report)
		if err != nil {
			return nil, err
		}
		if !report.OK {
			// verify --json: the report on stdout, the diagnosis on stderr, exit 1.
			log(host, diag.Info, urn, "verify: "+report.Services[len(report.Services)-1].Steps[0].Diagnosis)
			return nil, errors.New("Process exited with status 1")
		}
		return resource.PropertyMap{"stdout": s(string(out) + "\n"), "stderr": s("")}, nil
	}
	return nil, fmt.Errorf("fake command provider: no remote command modelled for %q", create)
}

// verifyTarget is contract/plan.ts's VerifyTarget.
type verifyTarget struct {
	Name          string   `json:"name"`
	RoleArn       string   `json:"roleArn"`
	Bucket        string   `json:"bucket"`
	ExternalID    string   `json:"externalId,omitempty"`
	ObjectActions []string `json:"objectActions"`
	Profile       string   `json:"profile,omitempty"`
}

var flag = regexp.MustCompile(`--(bucket|role-arn|profile)[ =](\S+)`)

// proofTargets reads the plan as verify would: from stdin with --targets -, else from the flags.
func proofTargets(create, stdin string) ([]verifyTarget, error) {
	if strings.Contains(create, "--targets -") {
		var targets []verifyTarget
		if err := json.Unmarshal([]byte(stdin), &targets); err != nil {
			return nil, fmt.Errorf("verify: the plan on stdin is not JSON: %w", err)
		}
		return targets, nil
	}
	t := verifyTarget{Name: "target"}
	for _, m := range flag.FindAllStringSubmatch(create, -1) {
		switch m[1] {
		case "bucket":
			t.Bucket = m[2]
		case "role-arn":
			t.RoleArn = m[2]
		case "profile":
			t.Name, t.Profile = m[2], m[2]
		}
	}
	return []verifyTarget{t}, nil
}

// The report's shape: contract/report.ts (ProofReport and its parts).
type stepResult struct {
	Name       string `json:"name"`
	OK         bool   `json:"ok"`
	Expected   string `json:"expected"`
	Observed   string `json:"observed"`
	DurationMs int    `json:"durationMs"`
	Diagnosis  string `json:"diagnosis,omitempty"`
}

type serviceReport struct {
	Name        string            `json:"name"`
	RoleArn     string            `json:"roleArn"`
	Bucket      string            `json:"bucket"`
	OK          bool              `json:"ok"`
	Steps       []stepResult      `json:"steps"`
	Identities  map[string]string `json:"identities"`
	Credentials map[string]string `json:"credentials"`
}

type isolationResult struct {
	Service   string `json:"service"`
	Bucket    string `json:"bucket"`
	OK        bool   `json:"ok"`
	Observed  string `json:"observed"`
	Diagnosis string `json:"diagnosis,omitempty"`
}

type proof struct {
	OK         bool              `json:"ok"`
	Steps      []stepResult      `json:"steps"`
	Identities map[string]string `json:"identities"`
	Services   []serviceReport   `json:"services"`
	Isolation  []isolationResult `json:"isolation"`
}

// The diagnosis a failed proof carries (scenario 7 looks for it).
const trustDiagnosis = "the role's trust policy does not name the host role"

func proofReport(targets []verifyTarget, fail bool) proof {
	step := func(name string) stepResult {
		return stepResult{Name: name, OK: true, Expected: "allowed", Observed: "allowed", DurationMs: 40}
	}
	report := proof{
		OK: true,
		Steps: []stepResult{{Name: "base-identity", OK: true, Expected: "the host role",
			Observed: "the host role", DurationMs: 30}},
		Identities: map[string]string{"base": fmt.Sprintf("arn:aws:sts::%s:assumed-role/host/i-0", accountID)},
	}
	for i, t := range targets {
		svc := serviceReport{
			Name: t.Name, RoleArn: t.RoleArn, Bucket: t.Bucket, OK: true,
			Steps: []stepResult{step("base-denied"), step("assume-role"), step("assumed-identity"),
				step("put-object"), step("get-object"), step("delete-object")},
			Identities:  map[string]string{"assumed": t.RoleArn},
			Credentials: map[string]string{"accessKeyId": "****************WXYZ", "expiration": "2026-11-29T17:00:00Z"},
		}
		if fail && i == len(targets)-1 {
			svc.OK, report.OK = false, false
			svc.Steps = []stepResult{{Name: "assume-role", OK: false, Expected: "allowed",
				Observed: "AccessDenied", DurationMs: 120000, Diagnosis: trustDiagnosis}}
		}
		report.Services = append(report.Services, svc)
		for _, other := range targets {
			if other.Bucket != t.Bucket {
				report.Isolation = append(report.Isolation, isolationResult{
					Service: t.Name, Bucket: other.Bucket, OK: true, Observed: "AccessDenied"})
			}
		}
	}
	return report
}

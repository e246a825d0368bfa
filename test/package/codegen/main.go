// Generates the Python, Go and Node.js SDKs of the rolepair component package from its schema with
// Pulumi's own code generators (github.com/pulumi/pulumi/pkg/v3/codegen), the ones the language hosts
// run for `pulumi package add`, without a Pulumi CLI:
//
//	go run . -schema ../../../pulumi-package/schema.json -out <dir>
//
// writes <dir>/python, <dir>/go and <dir>/nodejs. The schema is bound as `pulumi package add` binds
// it (dangling references allowed, SupportPack on, local SDKs), with a loader that refuses every
// other package: rolepair depends on none, so a reference to one is a bug to report, not to fetch.
//
// Language options come from the schema only, as with `pulumi package gen-sdk`: the Go SDK that
// compiles is generated from the schema scripts/go-sdk-schema.mjs writes (docs/multi-language.md).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// The tool name the generators write into each file's "do not edit" header.
const tool = "rolepair-codegen"

// noExternalPackages answers every request for another package's schema with an error.
type noExternalPackages struct{}

func refuse(name string) error {
	return fmt.Errorf("the schema refers to package %q: rolepair's SDKs are generated without other packages", name)
}

func (noExternalPackages) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, refuse(pkg)
}

func (noExternalPackages) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, refuse(d.Name)
}

func (noExternalPackages) LoadPackageReference(pkg string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, refuse(pkg)
}

func (noExternalPackages) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, refuse(d.Name)
}

// bind reads and binds the schema as `pulumi package add` does.
func bind(schemaPath string) (*schema.Package, error) {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return nil, err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("%s: %w", schemaPath, err)
	}
	pkg, diags, err := schema.BindSpec(spec, noExternalPackages{}, schema.ValidationOptions{
		AllowDanglingReferences: true,
	})
	if err != nil {
		return nil, err
	}
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s does not bind: %w", schemaPath, errors.Join(diags.Errs()...))
	}
	pkg.SupportPack = true
	return pkg, nil
}

// generate runs one language's generator on a freshly bound package (each generator imports its
// language's options into the package, so they do not share one).
func generate(schemaPath, out, language string) error {
	pkg, err := bind(schemaPath)
	if err != nil {
		return err
	}
	var files map[string][]byte
	switch language {
	case "python":
		files, err = python.GeneratePackage(tool, pkg, nil, noExternalPackages{})
	case "go":
		files, err = gogen.GeneratePackage(tool, pkg, nil)
	case "nodejs":
		files, err = nodejs.GeneratePackage(tool, pkg, nil, nil, true, noExternalPackages{})
	default:
		return fmt.Errorf("no generator for %q", language)
	}
	if err != nil {
		return fmt.Errorf("%s SDK: %w", language, err)
	}
	for name, data := range files {
		target := filepath.Join(out, language, name)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func main() {
	schemaPath := flag.String("schema", "", "the package schema (pulumi-package/schema.json)")
	out := flag.String("out", "", "the directory to write <language>/ SDKs into")
	flag.Parse()
	if *schemaPath == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: codegen -schema <schema.json> -out <dir>")
		os.Exit(2)
	}
	for _, language := range []string{"python", "go", "nodejs"} {
		if err := generate(*schemaPath, *out, language); err != nil {
			fmt.Fprintf(os.Stderr, "codegen: %v\n", err)
			os.Exit(1)
		}
	}
}

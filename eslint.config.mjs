// typescript-eslint's type-aware recommended rules, plus Pulumi's rule against Outputs in
// template literals (they print "Calling [toString] on an Output<T> is not supported").
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
    {
        ignores: [
            "node_modules/",
            "dist/",
            ".venv/",
            ".venv-security/",
            ".tools/",
            "bin/",
            "lib/",
            // A user's project, checked by tsc where it is installed (test/package/npmPackage.test.ts).
            "test/package/consumer/",
            "reports/",
            ".stryker-tmp/",
            "**/*.mjs",
            "**/*.cjs",
        ],
    },
    ...tseslint.configs.recommended,
    {
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
        },
    },
    {
        // Tests read mocked inputs, which are untyped by nature.
        files: ["test/**/*.ts", "bench/**/*.ts", "lab/**/*.ts"],
        rules: {
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-non-null-assertion": "off",
        },
    },
);

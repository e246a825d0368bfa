"""Runs a Python example program under the Pulumi Python SDK's mocks (no engine, no plugin, no AWS)
and prints, as JSON, the inputs each resource was registered with, by "<type> <name>".

    python run_python_example.py <program.py> <project>   (the generated SDK on PYTHONPATH)

test/package/sdks/examples.test.ts checks what it prints, the same way for every language's example.
"""

import json
import runpy
import sys
from typing import Any

import pulumi

program, project = sys.argv[1], sys.argv[2]


class Recorder(pulumi.runtime.Mocks):
    """Answers every registration with its own inputs, and keeps them."""

    def __init__(self) -> None:
        self.inputs: dict[str, Any] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.inputs[f"{args.typ} {args.name}"] = args.inputs
        return f"{args.name}-id", args.inputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        raise RuntimeError(f"the example makes no calls, got {args.token}")


recorder = Recorder()
pulumi.runtime.set_mocks(recorder, project=project, stack="dev", preview=False)
pulumi.runtime.set_all_config({f"{project}:sshIngressCidr": "203.0.113.7/32"})


@pulumi.runtime.test
def run_program() -> None:
    # The mocks' test runner waits for every registration the program starts.
    runpy.run_path(program, run_name="__main__")


run_program()
print(json.dumps(recorder.inputs))

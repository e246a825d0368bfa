// An input that may be another resource's output, checked now when plain and once known when not:
// used for every such host input (a subnet, an SSH ingress CIDR), so they fail alike.
import * as pulumi from "@pulumi/pulumi";

import { withoutStackFrames } from "./validation";

/**
 * A plain value is checked now; another resource's output (unknown during a preview of a new
 * stack) is checked once known, failing the resources that use it with the same error, without
 * its stack (withoutStackFrames says why).
 */
export function checkWhenKnown(
    input: string,
    value: pulumi.Input<string>,
    check: (input: string, value: unknown) => string,
): pulumi.Input<string> {
    if (pulumi.Output.isInstance(value) || value instanceof Promise) {
        return pulumi.output(value).apply((known) => {
            try {
                return check(input, known);
            } catch (error) {
                throw withoutStackFrames(error);
            }
        });
    }
    return check(input, value);
}

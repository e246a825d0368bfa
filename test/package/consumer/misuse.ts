// Misuses the declarations must refuse: if they degraded to `any` (a missing file, an unresolved
// import), tsc would accept these and npmPackage.test.ts would fail.
import { AssumableRolePair, SharedDevHost } from "rolepair";

new AssumableRolePair("bad-trust", { trustMode: "everyone" });
new SharedDevHost("no-services", {});
export const profileIsText: number = new AssumableRolePair("p", {}).awsProfileName;

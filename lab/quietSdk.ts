// The AWS SDK warns once per process that releases after January 2027 need Node 22. Tests and
// dev scripts run on this project's supported Node 20 too; the README states the requirement, so
// the repeated warning is silenced here (and only here, not in the verify program).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

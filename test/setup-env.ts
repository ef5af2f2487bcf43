// aws-cdk-lib's built-in CloudFormation validation costs ~1.7 s and ~300 MiB per test file (TOOLCHAIN.md).
process.env.CDK_VALIDATION = 'false';
process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';
process.env.CHECKPOINT_DISABLE = '1';
process.env.DISABLE_VERSION_CHECK = '1';
// The AWS SDK's own switch for its "node >= 22 from January 2027" notice (emitWarningIfUnsupportedVersion
// in @aws-sdk/core): the tests run on Node 20, and the Lambda runtime the broker targets is chosen apart.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

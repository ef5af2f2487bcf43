// aws-cdk-lib's built-in CloudFormation validation costs ~1.7 s and ~300 MiB per test file (TOOLCHAIN.md).
process.env.CDK_VALIDATION = 'false';
process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';
process.env.CHECKPOINT_DISABLE = '1';
process.env.DISABLE_VERSION_CHECK = '1';

#!/usr/bin/env bash
# Validates template.yaml offline, with no AWS account and no network:
#   1. cfn-lint, every rule including informational ones, several regions:
#      zero findings allowed (run outside the tree, so no config file can
#      quietly switch rules off);
#   2. the SAM transform (aws-sam-translator), as `sam deploy` runs it after
#      `sam package` (local CodeUri replaced by an s3:// URI), then checks of
#      the generated CloudFormation (the transforms and their order, expected
#      resources, the functions' runtime, environment and IAM policies - each
#      reads exactly its secrets, the app client's secret comes from
#      Secrets Manager and never from the environment or DescribeUserPoolClient
#      - the API's route, stage and access log, the Cognito triggers' wiring,
#      the protected APIs' authorizers, whose cache key must be exactly the
#      credentials the Lambda authorizer accepts, no circular dependency), of
#      the build contract (each makefile-built function has its
#      build-<LogicalId> target and its folder in the Makefile's FUNCTIONS) and
#      of samconfig.toml (every environment's parameter_overrides satisfy the
#      template's parameters and Rules in its region; prod keeps the safe
#      settings);
#   3. the same transform for several parameter sets and regions (defaults; a
#      custom domain; an existing site elsewhere; extra origins without a CSP;
#      a chosen domain prefix; WAF in us-east-1, WAF elsewhere with an existing
#      web ACL; SES e-mail; the admin sign-in flow; an alarm topic; hidden
#      sign-up confirmed by e-mail; passwordless sign-in per feature plan,
#      e-mail sender and hosting mode; social and enterprise sign-in - Google,
#      Apple, Facebook with Google, an OIDC and a SAML provider, all of them;
#      account linking on with Google, and with every provider; all of them
#      at once; each samconfig.toml
#      environment), each with the template's
#      Conditions resolved for those values, and checks of what that deployment
#      would be: the CloudFront distribution (origins, behaviours and their
#      order, methods, managed policy IDs, origin-verify header, HTTPS, security
#      headers, no custom error pages, its web ACL), the site bucket and its
#      access, the URLs the app client and the function get, the API's CORS,
#      the managed-login prefix, the auth flows and IAM grants, the sign-in
#      first factors and the passkeys' relying-party id, e-mail settings,
#      Lambda's log filter, what sam delete keeps for each DeletionProtection,
#      the identity providers (each exactly when configured, its details and
#      attribute mapping, its secret by dynamic reference), the app client's
#      SupportedIdentityProviders and its dependency on them, the API's
#      MONBAN_IDENTITY_PROVIDERS, account linking (the trigger's settings, its
#      grant on this pool, allowing exactly when on, the providers it may
#      link),
#      the web ACL's rules, the alarms and dashboard; the
#      Rules and parameter constraints must accept these sets and refuse the
#      invalid combinations (identity providers given in part, linking without
#      a provider that verifies addresses or with addresses verified without a
#      code among them),
#      and ClaimMappings must refuse exactly the claims
#      internal/triggers/pretoken reserves;
#   4. the CloudFront Function's code, run with node on sample URIs;
#   5. scripts/publish-site.sh's argument and output checks, against a stub
#      `aws` (no AWS call).
# Requires cfn-lint, the samtranslator Python package (Python 3.11+) and
# node; a missing tool is a failure, never a skip. Exits non-zero with the
# reasons on failure; prints one summary line on success.
#
# Usage: scripts/validate-template.sh [path/to/template.yaml]
# Env:   PYTHON (default python3), CFN_LINT (default cfn-lint), NODE (default
#        node), CFN_LINT_REGIONS (default "us-east-1 eu-west-1 ap-northeast-1").
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
template="${1:-$root/template.yaml}"
python="${PYTHON:-python3}"
cfn_lint="${CFN_LINT:-cfn-lint}"
node="${NODE:-node}"
read -r -a regions <<<"${CFN_LINT_REGIONS:-us-east-1 eu-west-1 ap-northeast-1}"

fail() {
  echo "validate-template: FAIL: $*" >&2
  exit 1
}

[[ -f "$template" ]] || fail "template not found: $template"
template="$(cd "$(dirname "$template")" && pwd)/$(basename "$template")"

command -v "$cfn_lint" >/dev/null 2>&1 ||
  fail "cfn-lint not found on PATH (install it with: pip install cfn-lint)"
command -v "$python" >/dev/null 2>&1 || fail "$python not found on PATH"
command -v "$node" >/dev/null 2>&1 || fail "node not found on PATH (it runs the CloudFront Function's code)"

# Run Python from an empty directory so nothing in the working tree can shadow
# an installed module.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

(cd "$scratch" && "$python" -c 'import samtranslator' >/dev/null 2>&1) ||
  fail "the samtranslator Python package is not importable by $python (install it with: pip install aws-sam-translator)"

# --- 1. cfn-lint -------------------------------------------------------------
# cfn-lint follows both branches of every condition, so one run covers every
# parameter combination.
lint_out="$scratch/cfn-lint.out"
if ! (cd "$scratch" && "$cfn_lint" --include-checks I --regions "${regions[@]}" -- "$template") >"$lint_out" 2>&1; then
  cat "$lint_out" >&2
  fail "cfn-lint reported findings (above)"
fi
if [[ -s "$lint_out" ]]; then
  cat "$lint_out" >&2
  fail "cfn-lint printed output (above); zero findings are required"
fi

# --- 2.-4. SAM transform and checks of its output ---------------------------
# samtranslator needs a region name from boto3; set one so no AWS
# configuration (or instance metadata lookup) is consulted.
summary="$(
  cd "$scratch" &&
    AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 \
      AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
      AWS_EC2_METADATA_DISABLED=true NODE_BIN="$node" \
      "$python" - "$template" <<'PY'
import copy
import json
import logging
import os
import re
import shlex
import subprocess
import sys

try:
    import tomllib  # Python 3.11+
except ImportError:
    sys.exit("validate-template needs Python 3.11+ (tomllib) to read samconfig.toml")

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

# The translator warns about usage metrics it never publishes, once per
# transform; only its errors matter here.
logging.getLogger("samtranslator").setLevel(logging.ERROR)

REGION = "us-east-1"
PARTITION = "aws"
ACCOUNT = "123456789012"
STACK = "monban-validate"
ARTIFACT_BUCKET = "monban-validate-artifacts"

# CloudFront managed policies, by the IDs "Use managed cache policies" and
# "Use managed origin request policies" (CloudFront Developer Guide) give.
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
ALL_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
ORIGIN_HEADER = "X-Monban-Origin-Verify"

errors = []


def check(cond, msg):
    if not cond:
        errors.append(msg)
    return cond


class StubPolicyLoader:
    """Stands in for SAM's IAM-backed ManagedPolicyLoader (no AWS calls)."""

    def load(self):
        names = ["AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole", "AWSXrayWriteOnlyAccess"]
        return {n: f"arn:{PARTITION}:iam::aws:policy/service-role/{n}" for n in names}


with open(sys.argv[1], encoding="utf-8") as f:
    sam = yaml_parse(f.read())
template_dir = os.path.dirname(sys.argv[1])

# What `sam package` does: local code paths become S3 locations.
packaged = copy.deepcopy(sam)
for name, res in packaged.get("Resources", {}).items():
    props = res.get("Properties") or {}
    if res.get("Type") == "AWS::Serverless::Function" and isinstance(props.get("CodeUri"), str):
        props["CodeUri"] = f"s3://{ARTIFACT_BUCKET}/{name}.zip"
    if res.get("Type") == "AWS::Serverless::LayerVersion" and isinstance(props.get("ContentUri"), str):
        props["ContentUri"] = f"s3://{ARTIFACT_BUCKET}/{name}.zip"


def sam_transform(parameter_values, label, region=REGION):
    values = {"AWS::Region": region, "AWS::Partition": PARTITION}
    values.update(parameter_values)
    try:
        return transform(copy.deepcopy(packaged), values, StubPolicyLoader())
    except Exception as exc:  # InvalidDocumentException and friends
        causes = getattr(exc, "causes", None) or []
        detail = "; ".join(str(getattr(c, "message", c)) for c in causes) or str(exc)
        print(f"SAM transform failed ({label}): {detail}", file=sys.stderr)
        sys.exit(1)


cfn = sam_transform({}, "defaults")
resources = cfn.get("Resources", {})
check("Transform" not in cfn, "transformed template still declares a Transform")
# AWS::LanguageExtensions must run before SAM ("CloudFormation language
# extensions support", AWS SAM Developer Guide): it resolves the Fn::If in
# DeletionPolicy ("Intrinsic function references in DeletionPolicy and
# UpdateReplacePolicy attributes", CloudFormation User Guide).
check(
    sam.get("Transform") == ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"],
    f"Transform is {sam.get('Transform')!r}, want [AWS::LanguageExtensions, AWS::Serverless-2016-10-31] in that order",
)
check(
    not any(r.get("Type", "").startswith("AWS::Serverless::") for r in resources.values()),
    "transformed template still contains AWS::Serverless::* resources",
)


def resource(name, rtype):
    r = resources.get(name)
    if not check(r is not None, f"missing resource {name} ({rtype})"):
        return {}
    check(r.get("Type") == rtype, f"{name} is {r.get('Type')}, want {rtype}")
    return r.get("Properties") or {}


def allowed_actions(role_props):
    """Action -> Resource of every Allow statement in a role's inline policies."""
    out = {}
    for policy in role_props.get("Policies", []) or []:
        for st in policy.get("PolicyDocument", {}).get("Statement", []):
            if st.get("Effect") != "Allow":
                continue
            acts = st.get("Action")
            for a in [acts] if isinstance(acts, str) else acts or []:
                out[a] = st.get("Resource")
    return out


def as_set(value):
    """A Resource (one or a list) as a set of comparable strings."""
    return {json.dumps(v, sort_keys=True) for v in (value if isinstance(value, list) else [value])}


SECRETS = {"SessionSecret", "OriginVerifySecret"}
secret_refs = as_set([{"Ref": s} for s in SECRETS])
# The API also reads the app client's secret.
API_SECRETS = SECRETS | {"ClientSecret"}

pool = resource("UserPool", "AWS::Cognito::UserPool")
client = resource("UserPoolClient", "AWS::Cognito::UserPoolClient")
resource("UserPoolDomain", "AWS::Cognito::UserPoolDomain")
resource("ManagedLoginBranding", "AWS::Cognito::ManagedLoginBranding")
resource("HttpApi", "AWS::ApiGatewayV2::Api")
route = resource("ApiRoute", "AWS::ApiGatewayV2::Route")
integration = resource("ApiIntegration", "AWS::ApiGatewayV2::Integration")
resource("ApiFunctionInvokePermission", "AWS::Lambda::Permission")
fn = resource("ApiFunction", "AWS::Lambda::Function")
role = resource("ApiFunctionRole", "AWS::IAM::Role")
for name in ("Distribution", "SecurityHeadersPolicy", "SiteBucket", "SiteBucketPolicy", "SiteOriginAccessControl", "SiteIndexFunction"):
    check(name in resources, f"missing resource {name}")
stages = [n for n, r in resources.items() if r.get("Type") == "AWS::ApiGatewayV2::Stage"]
check(len(stages) == 1, f"want exactly one HTTP API stage, got {stages}")
stage = (resources.get(stages[0], {}).get("Properties") or {}) if stages else {}

# User pool and client essentials.
check(pool.get("UsernameAttributes") == ["email"], "user pool must use e-mail as the username")
check(pool.get("MfaConfiguration") == "OPTIONAL", "MFA must be OPTIONAL")
check(pool.get("EnabledMfas") == ["SOFTWARE_TOKEN_MFA"], "only TOTP MFA may be enabled")
check(client.get("GenerateSecret") is True, "app client must have a secret")
check(client.get("AllowedOAuthFlows") == ["code"], "app client must allow the code flow only")
# ExplicitAuthFlows depend on PasswordAuthFlow: checked per parameter set.
check(client.get("PreventUserExistenceErrors") == "ENABLED", "PreventUserExistenceErrors must be ENABLED")
check(client.get("EnableTokenRevocation") is True, "token revocation must be enabled")
# Both secrets are comma-separated lists in the API: punctuation (commas) and
# spaces must never be generated.
for name, min_len in (("SessionSecret", 32), ("OriginVerifySecret", 48)):
    gen = resource(name, "AWS::SecretsManager::Secret").get("GenerateSecretString") or {}
    check(gen.get("ExcludePunctuation") is True, f"{name} must exclude punctuation (commas separate values)")
    check(gen.get("IncludeSpace") is False, f"{name} must not include spaces")
    check(int(gen.get("PasswordLength", 0)) >= min_len, f"{name} must be at least {min_len} characters")
# The app client's secret, copied by CloudFormation from the client's
# ClientSecret attribute (AWS::Cognito::UserPoolClient return values), so the
# API reads it from Secrets Manager instead of calling DescribeUserPoolClient.
client_secret = resource("ClientSecret", "AWS::SecretsManager::Secret")
check(
    client_secret.get("SecretString") == {"Fn::GetAtt": ["UserPoolClient", "ClientSecret"]},
    "ClientSecret's SecretString must be the app client's ClientSecret attribute",
)
check("GenerateSecretString" not in client_secret, "ClientSecret must hold the app client's secret, not a generated one")
check("DescribeUserPoolClient" not in json.dumps(resources), "nothing may call DescribeUserPoolClient any more (the secret is in ClientSecret)")

# Function shape.
check(fn.get("Runtime") == "provided.al2023", "ApiFunction runtime must be provided.al2023")
check(fn.get("Handler") == "bootstrap", "ApiFunction handler must be bootstrap")
check(fn.get("Architectures") == ["arm64"], "ApiFunction must be arm64")
code = fn.get("Code") or {}
check(code.get("S3Bucket") == ARTIFACT_BUCKET, "ApiFunction code must come from the packaged S3 location")
logging_config = fn.get("LoggingConfig") or {}
check(logging_config.get("LogFormat") == "JSON", "ApiFunction must log JSON")
check(logging_config.get("LogGroup") == {"Ref": "ApiFunctionLogGroup"}, "ApiFunction must log to ApiFunctionLogGroup")

env = ((fn.get("Environment") or {}).get("Variables")) or {}
want_env = {
    "MONBAN_USER_POOL_ID", "MONBAN_CLIENT_ID", "MONBAN_COGNITO_DOMAIN", "MONBAN_CALLBACK_URL", "MONBAN_SITE_URL",
    "MONBAN_ALLOWED_ORIGINS", "MONBAN_REDIRECT_ALLOWLIST", "MONBAN_LOGOUT_URI", "MONBAN_ERROR_URL",
    "MONBAN_SESSION_SECRET_ARN", "MONBAN_ORIGIN_VERIFY_SECRET_ARN", "MONBAN_CLIENT_SECRET_ARN", "MONBAN_COOKIE_DOMAIN",
    "MONBAN_TOKEN_MODE", "MONBAN_TOKEN_ENDPOINT", "MONBAN_REFRESH_TOKEN_VALIDITY", "MONBAN_LOG_LEVEL",
    "MONBAN_AUTH_FLOW", "MONBAN_SECRETS_REFRESH", "MONBAN_SIGN_UP_HIDE_EXISTING", "MONBAN_IDENTITY_PROVIDERS",
}
missing = sorted(want_env - set(env))
check(not missing, f"ApiFunction environment lacks {missing}")
check("MONBAN_CLIENT_SECRET" not in env, "the client secret must never be in the environment")
check(env.get("MONBAN_CLIENT_SECRET_ARN") == {"Ref": "ClientSecret"}, "MONBAN_CLIENT_SECRET_ARN must reference ClientSecret")
check(env.get("MONBAN_AUTH_FLOW") == {"Ref": "PasswordAuthFlow"}, "MONBAN_AUTH_FLOW must be the PasswordAuthFlow parameter")
check(
    env.get("MONBAN_SIGN_UP_HIDE_EXISTING") == {"Ref": "SignUpHideExisting"},
    "MONBAN_SIGN_UP_HIDE_EXISTING must be the SignUpHideExisting parameter (the Rules check it against SignUpAutoConfirm)",
)
# MONBAN_IDENTITY_PROVIDERS: "" without providers, else Fn::Join over one
# Fn::If per provider whose else-branch is AWS::NoValue (dropped from the
# list). The guard keeps Fn::Join from ever getting an empty list; each
# parameter set below checks the joined value.
idp_env = env.get("MONBAN_IDENTITY_PROVIDERS")
idp_join = (idp_env or {}).get("Fn::If", [None, {}, None]) if isinstance(idp_env, dict) else [None, {}, None]
check(
    idp_join[0] == "HasIdentityProviders" and idp_join[2] == "" and "Fn::Join" in (idp_join[1] or {}),
    "MONBAN_IDENTITY_PROVIDERS must be Fn::If [HasIdentityProviders, Fn::Join [...], \"\"]",
)
join_items = ((idp_join[1] or {}).get("Fn::Join") or [None, []])[1]
check(
    isinstance(join_items, list) and len(join_items) == 5
    and all((i.get("Fn::If") or [None, None, None])[2] == {"Ref": "AWS::NoValue"} for i in join_items if isinstance(i, dict)),
    "MONBAN_IDENTITY_PROVIDERS must join one Fn::If [Has<Provider>, name, AWS::NoValue] per provider",
)
# The secrets are read again every MONBAN_SECRETS_REFRESH (a Go duration), so a
# rotated value reaches warm containers; the README quotes this value.
SECRETS_REFRESH = "5m"
check(env.get("MONBAN_SECRETS_REFRESH") == SECRETS_REFRESH, f"ApiFunction MONBAN_SECRETS_REFRESH must be {SECRETS_REFRESH}")
for secret_var in ("MONBAN_SESSION_SECRET", "MONBAN_ORIGIN_VERIFY_SECRET"):
    check(secret_var not in env, f"{secret_var} itself must never be in the environment (use its _ARN)")
check(env.get("MONBAN_CLIENT_ID") == {"Ref": "UserPoolClient"}, "MONBAN_CLIENT_ID must reference the app client")
check(env.get("MONBAN_SESSION_SECRET_ARN") == {"Ref": "SessionSecret"}, "MONBAN_SESSION_SECRET_ARN must reference the secret")
check(
    env.get("MONBAN_ORIGIN_VERIFY_SECRET_ARN") == {"Ref": "OriginVerifySecret"},
    "MONBAN_ORIGIN_VERIFY_SECRET_ARN must reference OriginVerifySecret",
)
# The refresh cookie lifetime must follow the app client's refresh-token validity.
units = (client.get("TokenValidityUnits") or {}).get("RefreshToken", "days")
hours = {"days": 24, "hours": 1}.get(units)
if check(hours is not None, f"unexpected refresh token validity unit {units!r}"):
    check(
        env.get("MONBAN_REFRESH_TOKEN_VALIDITY") == f"{int(client.get('RefreshTokenValidity', 30)) * hours}h",
        "MONBAN_REFRESH_TOKEN_VALIDITY must equal the app client's RefreshTokenValidity",
    )

# IAM: exactly the secrets the function reads (the admin sign-in grant depends
# on PasswordAuthFlow and is checked per parameter set).
actions = allowed_actions(role)
check(
    set(actions) == {"secretsmanager:GetSecretValue"},
    f"ApiFunction's unconditional inline policy actions are {sorted(actions)}, want GetSecretValue only",
)
check(
    as_set(actions.get("secretsmanager:GetSecretValue")) == as_set([{"Ref": s} for s in API_SECRETS]),
    f"ApiFunction's GetSecretValue must be scoped to exactly {sorted(API_SECRETS)}",
)

# API: route, integration, stage.
api = resources.get("HttpApi", {}).get("Properties") or {}
check(api.get("ProtocolType") == "HTTP", "HttpApi must be an HTTP API")
check(route.get("RouteKey") == "ANY /auth/{proxy+}", "the API must route ANY /auth/{proxy+}")
check(integration.get("PayloadFormatVersion") == "2.0", "the integration must use payload format 2.0")
check(stage.get("StageName") == "$default", "the HTTP API stage must be $default")
check(stage.get("AutoDeploy") is True, "the $default stage must auto-deploy")
# Access logs under /aws/vendedlogs/: once the account's CloudWatch Logs
# resource policy nears its 5120-character limit, only such log groups can be
# added ("Avoiding Amazon CloudWatch Logs resource policy size restrictions",
# AWS Step Functions Developer Guide). $context.authorizer.error: "The error
# message returned from an authorizer" ("Customize HTTP API access logs", API
# Gateway Developer Guide).
access_log = stage.get("AccessLogSettings") or {}
check(access_log.get("DestinationArn") == {"Fn::GetAtt": ["HttpApiAccessLogGroup", "Arn"]}, "the stage must log to HttpApiAccessLogGroup")
log_group_name = resource("HttpApiAccessLogGroup", "AWS::Logs::LogGroup").get("LogGroupName")
check(
    isinstance(log_group_name, dict) and str(log_group_name.get("Fn::Sub", "")).startswith("/aws/vendedlogs/"),
    f"HttpApiAccessLogGroup must be named under /aws/vendedlogs/, got {log_group_name!r}",
)
try:
    log_format = json.loads(str(access_log.get("Format", "")))
except ValueError:
    log_format = {}
    errors.append("the access-log format must be one JSON object")
check("$context.authorizer.error" in log_format.values(), "the access-log format must include $context.authorizer.error")
check(all(not str(v).startswith("$context.path") or v == "$context.path" for v in log_format.values()), "the access log must not log query strings")
throttle = stage.get("DefaultRouteSettings") or {}
check(
    throttle.get("ThrottlingBurstLimit") and throttle.get("ThrottlingRateLimit"),
    "the HTTP API stage must set default throttling",
)
# API Gateway drops routes that are not in an API's OpenAPI body whenever the
# body is re-imported (every stack update that changes it), so an API with a
# body must not also have separate Route resources.
for name, r in resources.items():
    if r.get("Type") != "AWS::ApiGatewayV2::Route":
        continue
    api_ref = ((r.get("Properties") or {}).get("ApiId") or {}).get("Ref")
    api_props = resources.get(api_ref, {}).get("Properties") or {}
    check(
        "Body" not in api_props and "BodyS3Location" not in api_props,
        f"route {name} belongs to {api_ref}, which is defined by an OpenAPI body: the route would be deleted on update",
    )

# Cognito triggers: pre-sign-up through SAM's Cognito event, pre-token-generation
# by hand (the event version depends on the feature plan), each with a
# permission for Cognito, and both merged into the pool's one LambdaConfig.
lambda_config = pool.get("LambdaConfig") or {}
check(
    lambda_config.get("PreSignUp") == {"Fn::GetAtt": ["PreSignUpFunction", "Arn"]},
    "the user pool's LambdaConfig.PreSignUp must be PreSignUpFunction",
)
ptg = lambda_config.get("PreTokenGenerationConfig") or {}
check(
    ptg.get("LambdaArn") == {"Fn::GetAtt": ["PreTokenGenerationFunction", "Arn"]},
    "the user pool's PreTokenGenerationConfig must name PreTokenGenerationFunction",
)
check(
    ptg.get("LambdaVersion") == {"Fn::If": ["IsLitePlan", "V1_0", "V2_0"]},
    "PreTokenGenerationConfig.LambdaVersion must be V2_0, or V1_0 on the LITE plan",
)
check("PreTokenGeneration" not in lambda_config, "set PreTokenGenerationConfig, not the legacy PreTokenGeneration")
trigger_env = {
    "PreSignUpFunction": {
        "MONBAN_SIGNUP_ALLOWED_EMAIL_DOMAINS", "MONBAN_SIGNUP_AUTO_CONFIRM", "MONBAN_SIGNUP_EXTERNAL_AUTO_CONFIRM",
        "MONBAN_SIGNUP_EXTERNAL_ALLOWLIST", "MONBAN_SIGNUP_LINK_EXISTING_ACCOUNTS", "MONBAN_SIGNUP_LINK_PROVIDERS", "MONBAN_LOG_LEVEL",
    },
    "PreTokenGenerationFunction": {"MONBAN_CLAIM_MAPPINGS", "MONBAN_LOG_LEVEL"},
}
for name, want in trigger_env.items():
    tfn = resource(name, "AWS::Lambda::Function")
    check(tfn.get("Runtime") == "provided.al2023" and tfn.get("Handler") == "bootstrap", f"{name} must run bootstrap on provided.al2023")
    check(tfn.get("Architectures") == ["arm64"], f"{name} must be arm64")
    check(int(tfn.get("Timeout", 0)) <= 5, f"{name} timeout must fit Cognito's 5 seconds for a trigger")
    tenv = ((tfn.get("Environment") or {}).get("Variables")) or {}
    check(want <= set(tenv), f"{name} environment lacks {sorted(want - set(tenv))}")
    # The pool names the function, so the function must not name the pool.
    check("UserPool" not in repr(tfn), f"{name} must not reference UserPool (read the pool id from the event)")
    trole = resource(f"{name}Role", "AWS::IAM::Role")
    check(not trole.get("Policies"), f"{name} needs no permissions beyond writing its logs")
    perm = resource(f"{name}CognitoPermission", "AWS::Lambda::Permission")
    check(perm.get("Principal") == "cognito-idp.amazonaws.com", f"{name}CognitoPermission must be for cognito-idp.amazonaws.com")
    check(perm.get("SourceArn") == {"Fn::GetAtt": ["UserPool", "Arn"]}, f"{name}CognitoPermission must be limited to the user pool")
    check(
        perm.get("FunctionName") in ({"Ref": name}, {"Fn::GetAtt": [name, "Arn"]}),
        f"{name}CognitoPermission must name {name}",
    )

# Account linking: the pre-sign-up trigger calls ListUsers and
# AdminLinkProviderForUser, which IAM authorizes (Amazon Cognito API
# Reference). The grant is a policy of its own on the trigger's role, on this
# pool only: in the role's own Policies the pool's ARN would be a circular
# dependency (the pool names the function); the cycle check below covers this
# resource too. It always exists (a protected pool retains it, and a
# conditional one would be left behind when linking is turned off) and allows
# only with LinkExternalToExistingAccount, denying otherwise.
link_res = resources.get("PreSignUpFunctionLinkPolicy") or {}
check(
    link_res.get("Type") == "AWS::IAM::RolePolicy" and "Condition" not in link_res,
    "PreSignUpFunctionLinkPolicy must be an AWS::IAM::RolePolicy without a Condition",
)
check(
    sam.get("Conditions", {}).get("LinksExistingAccounts") == {"Fn::Equals": [{"Ref": "LinkExternalToExistingAccount"}, "true"]},
    "LinksExistingAccounts must be LinkExternalToExistingAccount = true",
)
link_props = link_res.get("Properties") or {}
check(link_props.get("RoleName") == {"Ref": "PreSignUpFunctionRole"}, "PreSignUpFunctionLinkPolicy must be on the pre-sign-up function's role")
link_grants = {}
for st in (link_props.get("PolicyDocument") or {}).get("Statement", []):
    acts = st.get("Action")
    for a in [acts] if isinstance(acts, str) else acts or []:
        link_grants[a] = (st.get("Effect"), st.get("Resource"))
link_effect = {"Fn::If": ["LinksExistingAccounts", "Allow", "Deny"]}
check(
    link_grants == {a: (link_effect, {"Fn::GetAtt": ["UserPool", "Arn"]}) for a in ("cognito-idp:ListUsers", "cognito-idp:AdminLinkProviderForUser")},
    f"PreSignUpFunctionLinkPolicy must allow (with linking) or deny exactly ListUsers and AdminLinkProviderForUser on the user pool, got {link_grants}",
)

# Protected APIs: the monban Lambda authorizer and API Gateway's JWT
# authorizer in front of the sample API.
for name in ("AuthorizerFunction", "SampleApiFunction"):
    pfn = resource(name, "AWS::Lambda::Function")
    check(pfn.get("Runtime") == "provided.al2023" and pfn.get("Handler") == "bootstrap", f"{name} must run bootstrap on provided.al2023")
    check(pfn.get("Architectures") == ["arm64"], f"{name} must be arm64")
    check((pfn.get("Code") or {}).get("S3Bucket") == ARTIFACT_BUCKET, f"{name} code must come from the packaged S3 location")
    check((pfn.get("LoggingConfig") or {}).get("LogFormat") == "JSON", f"{name} must log JSON")
authz_fn = resources.get("AuthorizerFunction", {}).get("Properties") or {}
aenv = ((authz_fn.get("Environment") or {}).get("Variables")) or {}
check(aenv.get("MONBAN_USER_POOL_ID") == {"Ref": "UserPool"}, "AuthorizerFunction MONBAN_USER_POOL_ID must reference the pool")
check(aenv.get("MONBAN_CLIENT_ID") == {"Ref": "UserPoolClient"}, "AuthorizerFunction MONBAN_CLIENT_ID must reference the app client")
check(
    aenv.get("MONBAN_SESSION_SECRET_ARN") == {"Ref": "SessionSecret"},
    "AuthorizerFunction must open cookies with the API's session secret (MONBAN_SESSION_SECRET_ARN)",
)
check(
    aenv.get("MONBAN_COOKIE_DOMAIN") == env.get("MONBAN_COOKIE_DOMAIN"),
    "AuthorizerFunction MONBAN_COOKIE_DOMAIN must equal the API's (it decides the cookie's name)",
)
for secret_var in ("MONBAN_SESSION_SECRET", "MONBAN_ORIGIN_VERIFY_SECRET", "MONBAN_CLIENT_SECRET"):
    check(secret_var not in aenv, f"{secret_var} itself must never be in the authorizer's environment")
check(aenv.get("MONBAN_SECRETS_REFRESH") == SECRETS_REFRESH, f"AuthorizerFunction MONBAN_SECRETS_REFRESH must be {SECRETS_REFRESH}")
authz_verifies_origin = "MONBAN_ORIGIN_VERIFY_SECRET_ARN" in aenv
if authz_verifies_origin:
    check(
        aenv.get("MONBAN_ORIGIN_VERIFY_SECRET_ARN") == {"Ref": "OriginVerifySecret"},
        "AuthorizerFunction MONBAN_ORIGIN_VERIFY_SECRET_ARN must reference OriginVerifySecret",
    )
authz_actions = allowed_actions(resource("AuthorizerFunctionRole", "AWS::IAM::Role"))
want_authz_secrets = secret_refs if authz_verifies_origin else as_set({"Ref": "SessionSecret"})
check(
    set(authz_actions) == {"secretsmanager:GetSecretValue"}
    and as_set(authz_actions["secretsmanager:GetSecretValue"]) == want_authz_secrets,
    f"AuthorizerFunction may only read its secrets; its inline policy allows {authz_actions}",
)
check(not resource("SampleApiFunctionRole", "AWS::IAM::Role").get("Policies"), "SampleApiFunction needs no permissions beyond writing its logs")

session_authz = resource("SessionAuthorizer", "AWS::ApiGatewayV2::Authorizer")
check(session_authz.get("AuthorizerType") == "REQUEST", "SessionAuthorizer must be a REQUEST (Lambda) authorizer")
check(session_authz.get("AuthorizerPayloadFormatVersion") == "2.0", "SessionAuthorizer must use payload format 2.0")
check(session_authz.get("EnableSimpleResponses") is True, "SessionAuthorizer must use simple responses (the function answers 2.0 events with them)")
check("AuthorizerFunction.Arn" in repr(session_authz.get("AuthorizerUri")), "SessionAuthorizer must invoke AuthorizerFunction")
ttl = int(session_authz.get("AuthorizerResultTtlInSeconds", 0))
sources = session_authz.get("IdentitySource") or []
# CloudFront's origin-verify header is an identity source beside the
# credentials (so direct requests get API Gateway's 401 and the cache is keyed
# on it too) but it is no credential kind: it is allowed exactly when the
# authorizer checks it.
origin_source = f"$request.header.{ORIGIN_HEADER}".lower()
origin_sources = [s for s in sources if str(s).lower() == origin_source]
check(
    bool(origin_sources) == authz_verifies_origin,
    f"SessionAuthorizer lists {ORIGIN_HEADER} as an identity source exactly when AuthorizerFunction checks it "
    "(MONBAN_ORIGIN_VERIFY_SECRET_ARN)",
)
source_kinds = {"$request.header.authorization": "bearer", "$request.header.cookie": "cookie"}
kinds = {source_kinds.get(str(src).lower(), f"other:{src}") for src in sources if str(src).lower() != origin_source}
accepted = {c.strip().lower() for c in str(aenv.get("MONBAN_ACCEPTED_CREDENTIALS", "bearer,cookie")).split(",") if c.strip()}
if ttl > 0:
    check(sources, "SessionAuthorizer caches results, so it needs identity sources (the cache key)")
    # A cached decision is reused for every request with the same identity
    # sources; a decision that also read another header would be handed to
    # requests that never sent it.
    check(
        kinds == accepted,
        f"SessionAuthorizer caches on {sorted(kinds)} but AuthorizerFunction accepts {sorted(accepted)}: "
        "MONBAN_ACCEPTED_CREDENTIALS must name exactly the identity sources",
    )
else:
    check(kinds <= accepted, f"SessionAuthorizer requires {sorted(kinds)}, which AuthorizerFunction does not all accept")
authz_perm = resource("AuthorizerFunctionInvokePermission", "AWS::Lambda::Permission")
check(authz_perm.get("Principal") == "apigateway.amazonaws.com", "AuthorizerFunctionInvokePermission must be for API Gateway")
check(
    authz_perm.get("FunctionName") in ({"Ref": "AuthorizerFunction"}, {"Fn::GetAtt": ["AuthorizerFunction", "Arn"]}),
    "AuthorizerFunctionInvokePermission must name AuthorizerFunction",
)
check(
    "/authorizers/${SessionAuthorizer}" in repr(authz_perm.get("SourceArn")),
    "AuthorizerFunctionInvokePermission must be limited to SessionAuthorizer",
)

jwt_authz = resource("CognitoJwtAuthorizer", "AWS::ApiGatewayV2::Authorizer")
check(jwt_authz.get("AuthorizerType") == "JWT", "CognitoJwtAuthorizer must be a JWT authorizer")
check(jwt_authz.get("IdentitySource") == ["$request.header.Authorization"], "CognitoJwtAuthorizer must read the Authorization header")
jwt_conf = jwt_authz.get("JwtConfiguration") or {}
check(
    jwt_conf.get("Issuer") == {"Fn::Sub": "https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}/${UserPool}"},
    "CognitoJwtAuthorizer's issuer must be the user pool's",
)
check(jwt_conf.get("Audience") == [{"Ref": "UserPoolClient"}], "CognitoJwtAuthorizer's audience must be the app client (matched against client_id)")

sample_integration = resource("SampleApiIntegration", "AWS::ApiGatewayV2::Integration")
check(sample_integration.get("PayloadFormatVersion") == "2.0", "SampleApiIntegration must use payload format 2.0")
check(sample_integration.get("IntegrationUri") == {"Fn::GetAtt": ["SampleApiFunction", "Arn"]}, "SampleApiIntegration must target SampleApiFunction")
me_route = resource("SampleApiMeRoute", "AWS::ApiGatewayV2::Route")
check(me_route.get("RouteKey") == "GET /api/me", "SampleApiMeRoute must be GET /api/me")
check(
    me_route.get("AuthorizationType") == "CUSTOM" and me_route.get("AuthorizerId") == {"Ref": "SessionAuthorizer"},
    "GET /api/me must be behind SessionAuthorizer",
)
me_jwt_route = resource("SampleApiMeJwtRoute", "AWS::ApiGatewayV2::Route")
check(me_jwt_route.get("RouteKey") == "GET /api/me-jwt", "SampleApiMeJwtRoute must be GET /api/me-jwt")
check(
    me_jwt_route.get("AuthorizationType") == "JWT" and me_jwt_route.get("AuthorizerId") == {"Ref": "CognitoJwtAuthorizer"},
    "GET /api/me-jwt must be behind CognitoJwtAuthorizer",
)
check(me_jwt_route.get("AuthorizationScopes"), "GET /api/me-jwt must require authorization scopes")
# Nothing under /api/ may be reachable without an authorizer.
for name, r in resources.items():
    props = r.get("Properties") or {}
    if r.get("Type") == "AWS::ApiGatewayV2::Route" and " /api/" in str(props.get("RouteKey", "")):
        check(props.get("AuthorizationType") in ("CUSTOM", "JWT"), f"route {name} ({props.get('RouteKey')}) has no authorizer")
sample_perm = resource("SampleApiFunctionInvokePermission", "AWS::Lambda::Permission")
check(
    str((sample_perm.get("SourceArn") or {}).get("Fn::Sub", "")).endswith("${HttpApi}/*/*/api/*"),
    "SampleApiFunctionInvokePermission must be limited to the API's /api/ routes",
)

# The Makefile's FUNCTIONS (what `make build` builds) must list every
# function's folder.
with open(os.path.join(template_dir, "Makefile"), encoding="utf-8") as f:
    m = re.search(r"^FUNCTIONS\s*:?=\s*(.*)$", f.read(), re.MULTILINE)
listed = set(m.group(1).split()) if m else set()
for name, res in sam.get("Resources", {}).items():
    code_uri = (res.get("Properties") or {}).get("CodeUri")
    if res.get("Type") == "AWS::Serverless::Function" and isinstance(code_uri, str):
        folder = os.path.basename(os.path.normpath(code_uri))
        check(folder in listed, f"{name}'s folder {folder} is missing from the Makefile's FUNCTIONS")


# No circular dependencies (CloudFormation would refuse the stack): references
# by Ref, GetAtt, Sub and DependsOn between resources, over both branches of
# every condition. The site's URL (the distribution's domain) reaches the
# function and the app client; the distribution must reach the API resource
# only, never the function (see the comment on HttpApi in the template).
def references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield value
            elif key == "Fn::GetAtt":
                yield value[0] if isinstance(value, list) else value.split(".")[0]
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                yield from (m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text))
            yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


graph = {}
for name, res in resources.items():
    deps = set(references(res.get("Properties") or {}))
    depends_on = res.get("DependsOn") or []
    deps |= set([depends_on] if isinstance(depends_on, str) else depends_on)
    graph[name] = deps & set(resources)
state = {}


def cycle_from(node, path):
    state[node] = "visiting"
    for dep in sorted(graph[node]):
        if state.get(dep) == "visiting":
            return path + [node, dep]
        if dep not in state:
            found = cycle_from(dep, path + [node])
            if found:
                return found
    state[node] = "done"
    return None


for name in sorted(graph):
    if name not in state:
        found = cycle_from(name, [])
        if found:
            cycle = found[found.index(found[-1]):]
            errors.append("circular dependency: " + " -> ".join(cycle))
            break


def reaches(start, target):
    seen, todo = set(), [start]
    while todo:
        n = todo.pop()
        if n == target:
            return True
        if n not in seen:
            seen.add(n)
            todo.extend(graph.get(n, ()))
    return False


check(not reaches("HttpApi", "Distribution"), "HttpApi must not depend on the distribution (CORS must not name its domain)")
check(not reaches("HttpApi", "ApiFunction"), "HttpApi must not depend on ApiFunction (no OpenAPI body naming the function)")
check(not reaches("Distribution", "ApiFunction"), "the distribution must not depend on ApiFunction")
check(reaches("ApiFunction", "Distribution"), "ApiFunction's site URLs should come from the distribution")

# `sam build` with BuildMethod makefile runs `make build-<LogicalId>` using
# the Makefile in ContextPath (else CodeUri): the target must exist.
for name, res in sam.get("Resources", {}).items():
    meta = res.get("Metadata") or {}
    if res.get("Type") != "AWS::Serverless::Function" or meta.get("BuildMethod") != "makefile":
        continue
    context = meta.get("ContextPath") or (res.get("Properties") or {}).get("CodeUri") or "."
    makefile = os.path.normpath(os.path.join(template_dir, context, "Makefile"))
    target_re = re.compile(rf"^build-{re.escape(name)}\s*:", re.MULTILINE)
    if check(os.path.exists(makefile), f"{name} builds with make, but {makefile} does not exist"):
        with open(makefile, encoding="utf-8") as f:
            check(target_re.search(f.read()), f"{makefile} has no build-{name} target (sam build runs it)")


# --- Parameter sets: resolve the Conditions for given values and check what
# --- that deployment would be.
NOVALUE = object()
PARAMS = sam.get("Parameters", {})
STACK_UUID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


def pseudo(region):
    return {
        "AWS::Region": region, "AWS::Partition": PARTITION, "AWS::URLSuffix": "amazonaws.com",
        "AWS::AccountId": ACCOUNT, "AWS::StackName": STACK,
        "AWS::StackId": f"arn:aws:cloudformation:{region}:{ACCOUNT}:stack/{STACK}/{STACK_UUID}",
    }


PSEUDO = pseudo(REGION)


class Unsupported(Exception):
    pass


class Scenario:
    """A template with parameter values: renders intrinsic functions to strings
    (other resources' values as <Name> or <Name.Attribute>) and resolves Fn::If."""

    def __init__(self, template, given, region=REGION):
        self.t = template
        self.pseudo = pseudo(region)
        self.params = {}
        for key, spec in PARAMS.items():
            value = given.get(key, spec.get("Default"))
            if value is None:
                continue
            value = str(value)
            self.params[key] = value.split(",") if spec.get("Type") == "CommaDelimitedList" else value
        self._conds = {}

    def cond(self, name):
        if name not in self._conds:
            self._conds[name] = self.truth(self.t["Conditions"][name])
        return self._conds[name]

    def truth(self, expr):
        (fn, arg), = expr.items()
        if fn == "Condition":
            return self.cond(arg)
        if fn == "Fn::Equals":
            return self.render(arg[0]) == self.render(arg[1])
        if fn == "Fn::Not":
            return not self.truth(arg[0])
        if fn == "Fn::And":
            return all(self.truth(a) for a in arg)
        if fn == "Fn::Or":
            return any(self.truth(a) for a in arg)
        if fn == "Fn::Contains":
            return self.render(arg[1]) in self.render(arg[0])
        # Rule functions ("Rule functions", CloudFormation User Guide): every
        # member of a list equals one string, or is one of a list of strings.
        if fn == "Fn::EachMemberEquals":
            return all(v == self.render(arg[1]) for v in self.render(arg[0]))
        if fn == "Fn::EachMemberIn":
            allowed = self.render(arg[1])
            return all(v in allowed for v in self.render(arg[0]))
        raise Unsupported(fn)

    def lookup(self, name, variables=None):
        if variables and name in variables:
            return self.render(variables[name])
        if name in self.params:
            return self.params[name]
        if name in self.pseudo:
            return self.pseudo[name]
        if name == "AWS::NoValue":
            return NOVALUE
        base = name.split(".")[0]
        if base in self.t.get("Resources", {}):
            return f"<{name}>"
        raise Unsupported(f"unknown reference {name}")

    def render(self, node):
        if isinstance(node, list):
            out = [self.render(n) for n in node]
            return [v for v in out if v is not NOVALUE]
        if not isinstance(node, dict):
            return node if isinstance(node, str) else json.dumps(node) if isinstance(node, bool) else str(node)
        if len(node) != 1 or not next(iter(node)).startswith(("Fn::", "Ref")):
            return {k: v for k, v in ((k, self.render(v)) for k, v in node.items()) if v is not NOVALUE}
        (fn, arg), = node.items()
        if fn == "Ref":
            return self.lookup(arg)
        if fn == "Fn::GetAtt":
            parts = arg if isinstance(arg, list) else arg.split(".", 1)
            return f"<{parts[0]}.{parts[1]}>"
        if fn == "Fn::If":
            return self.render(arg[1] if self.cond(arg[0]) else arg[2])
        if fn == "Fn::Sub":
            text, variables = (arg[0], arg[1]) if isinstance(arg, list) else (arg, {})

            def sub(m):
                if m.group(1).startswith("!"):
                    return "${" + m.group(1)[1:] + "}"
                value = self.lookup(m.group(1), variables)
                if not isinstance(value, str):
                    raise Unsupported(f"${{{m.group(1)}}} is not a string")
                return value

            return re.sub(r"\$\{([^}]+)\}", sub, text)
        if fn == "Fn::Join":
            items = self.render(arg[1])
            return arg[0].join(items if isinstance(items, list) else [items])
        if fn == "Fn::Split":
            return self.render(arg[1]).split(arg[0])
        if fn == "Fn::Select":
            return self.render(arg[1])[int(self.render(arg[0]))]
        if fn == "Fn::FindInMap":
            m = self.t["Mappings"][arg[0]]
            return self.render(m[self.render(arg[1])][self.render(arg[2])])
        raise Unsupported(fn)

    def refs(self, name):
        """Resources that resource name references (Ref, Fn::GetAtt, Fn::Sub) or
        names in DependsOn, in this deployment: only the taken branch of each
        Fn::If counts, as CloudFormation resolves conditions first."""
        found = set()

        def walk(node):
            if isinstance(node, list):
                for n in node:
                    walk(n)
            elif isinstance(node, dict):
                if len(node) == 1 and "Fn::If" in node:
                    cond, yes, no = node["Fn::If"]
                    walk(yes if self.cond(cond) else no)
                    return
                for key, value in node.items():
                    if key == "Ref" and isinstance(value, str):
                        found.add(value)
                    elif key == "Fn::GetAtt":
                        found.add(value[0] if isinstance(value, list) else value.split(".")[0])
                    elif key == "Fn::Sub":
                        text = value[0] if isinstance(value, list) else value
                        found.update(m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text))
                    walk(value)

        res = self.t.get("Resources", {}).get(name) or {}
        walk(res.get("Properties") or {})
        depends_on = res.get("DependsOn") or []
        found.update([depends_on] if isinstance(depends_on, str) else depends_on)
        return found & set(self.t.get("Resources", {}))

    def resources(self):
        """Resource name -> rendered properties, for the resources whose Condition holds."""
        out = {}
        for name, res in self.t.get("Resources", {}).items():
            if "Condition" in res and not self.cond(res["Condition"]):
                continue
            out[name] = {"Type": res.get("Type"), "Properties": self.render(res.get("Properties") or {})}
            # AWS::LanguageExtensions resolves intrinsic functions here.
            for key in ("DeletionPolicy", "UpdateReplacePolicy"):
                if key in res:
                    out[name][key] = self.render(res[key])
        return out

    def outputs(self):
        return {
            name: self.render(out.get("Value"))
            for name, out in self.t.get("Outputs", {}).items()
            if "Condition" not in out or self.cond(out["Condition"])
        }

    def rule_failures(self):
        failures = []
        for name, rule in self.t.get("Rules", {}).items():
            if "RuleCondition" in rule and not self.truth(rule["RuleCondition"]):
                continue
            for assertion in rule.get("Assertions", []):
                if not self.truth(assertion["Assert"]):
                    failures.append(f"{name}: {assertion.get('AssertDescription', '')}")
        return failures


def parameter_problems(given, label):
    """What CloudFormation would refuse before the Rules: unknown parameters,
    missing required ones, values outside AllowedValues/AllowedPattern."""
    problems = []
    for key, value in given.items():
        spec = PARAMS.get(key)
        if spec is None:
            problems.append(f"{label}: unknown parameter {key}")
            continue
        # A CommaDelimitedList's AllowedValues apply to each member
        # ("Parameters", CloudFormation User Guide).
        members = value.split(",") if spec.get("Type") == "CommaDelimitedList" else [value]
        if "AllowedValues" in spec and any(m not in [str(v) for v in spec["AllowedValues"]] for m in members):
            problems.append(f"{label}: {key}={value!r} is not one of {spec['AllowedValues']}")
        if "AllowedPattern" in spec and spec.get("Type") == "String" and re.fullmatch(spec["AllowedPattern"], value) is None:
            problems.append(f"{label}: {key}={value!r} does not match {spec['AllowedPattern']}")
        if "MaxLength" in spec and len(value) > int(spec["MaxLength"]):
            problems.append(f"{label}: {key}={value!r} is longer than MaxLength {spec['MaxLength']}")
        if spec.get("Type") == "Number":
            try:
                number = float(value)
            except ValueError:
                problems.append(f"{label}: {key}={value!r} is not a number")
                continue
            if "MinValue" in spec and number < float(spec["MinValue"]):
                problems.append(f"{label}: {key}={value!r} is below MinValue {spec['MinValue']}")
            if "MaxValue" in spec and number > float(spec["MaxValue"]):
                problems.append(f"{label}: {key}={value!r} is above MaxValue {spec['MaxValue']}")
    missing = sorted(k for k, v in PARAMS.items() if "Default" not in v and k not in given)
    if missing:
        problems.append(f"{label}: no value for required parameter(s) {missing}")
    return problems


def check_deployment(label, given, region=REGION):
    """Transforms the template for these parameter values, in this region,
    resolves its Conditions and checks the deployment it describes."""
    for p in parameter_problems(given, label):
        errors.append(p)
    out_cfn = sam_transform({k: v for k, v in given.items()}, label, region)
    sc = Scenario(out_cfn, given, region)
    try:
        failures = sc.rule_failures()
        if not check(not failures, f"{label}: the template's Rules refuse these parameters: {failures}"):
            return
        res = sc.resources()
        outs = sc.outputs()
    except Unsupported as exc:
        errors.append(f"{label}: cannot evaluate {exc}")
        return

    p = sc.params
    existing = p.get("ExistingSiteUrl", "")
    domain = p.get("SiteDomainName", "")
    extras = [o for o in p.get("FrontendOrigins", [""]) if o]
    logout_param = [u for u in p.get("LogoutUrls", [""]) if u]
    hosts_site = not existing

    def props(name):
        return (res.get(name) or {}).get("Properties") or {}

    # The URLs: the distribution's public URL, the site's, and what the app
    # client and the function are told.
    public = f"https://{domain}" if domain else "https://<Distribution.DomainName>"
    site = existing or public
    check(outs.get("ApiUrl") == public, f"{label}: ApiUrl output is {outs.get('ApiUrl')!r}, want {public!r}")
    check(outs.get("SiteUrl") == site, f"{label}: SiteUrl output is {outs.get('SiteUrl')!r}, want {site!r}")
    check(("SiteBucketName" in outs) == hosts_site, f"{label}: SiteBucketName output must exist exactly when the stack hosts the site")
    for key in ("DistributionId", "ExecuteApiUrl", "HostedUiDomain", "UserPoolId", "UserPoolClientId", "SessionSecretArn"):
        check(key in outs, f"{label}: missing output {key}")
    fenv = (props("ApiFunction").get("Environment") or {}).get("Variables") or {}
    app = props("UserPoolClient")
    callback = f"{public}/auth/callback"
    check(fenv.get("MONBAN_CALLBACK_URL") == callback, f"{label}: MONBAN_CALLBACK_URL is {fenv.get('MONBAN_CALLBACK_URL')!r}, want {callback!r}")
    # The callback URL the API sends to Cognito must be the one registered on the client.
    check(app.get("CallbackURLs") == [fenv.get("MONBAN_CALLBACK_URL")], f"{label}: MONBAN_CALLBACK_URL must be the app client's only callback URL")
    check(fenv.get("MONBAN_SITE_URL") == site, f"{label}: MONBAN_SITE_URL is {fenv.get('MONBAN_SITE_URL')!r}, want {site!r}")
    origins = ",".join([site] + extras)
    for var in ("MONBAN_ALLOWED_ORIGINS", "MONBAN_REDIRECT_ALLOWLIST"):
        check(fenv.get(var) == origins, f"{label}: {var} is {fenv.get(var)!r}, want {origins!r}")
    check(fenv.get("MONBAN_ERROR_URL") == f"{site}/", f"{label}: MONBAN_ERROR_URL must be the site + /")
    logout_urls = logout_param or [f"{o}/" for o in [site] + extras]
    check(app.get("LogoutURLs") == logout_urls, f"{label}: app client LogoutURLs are {app.get('LogoutURLs')!r}, want {logout_urls!r}")
    check(fenv.get("MONBAN_LOGOUT_URI") == logout_urls[0], f"{label}: MONBAN_LOGOUT_URI must be the first logout URL")
    check("<Distribution" not in json.dumps(props("HttpApi")), f"{label}: HttpApi must not reference the distribution")

    # CORS only for cross-origin callers (the existing site, extra origins):
    # with a CORS configuration API Gateway ignores the function's CORS
    # headers ("Configure CORS for HTTP APIs in API Gateway", API Gateway
    # Developer Guide), so it must list all of them.
    cors = props("HttpApi").get("CorsConfiguration")
    cross = ([existing] if existing else []) + extras
    if cross:
        if check(cors, f"{label}: HttpApi needs a CorsConfiguration for {cross}"):
            check(cors.get("AllowOrigins") == cross, f"{label}: CORS origins are {cors.get('AllowOrigins')!r}, want {cross!r}")
            check(cors.get("AllowCredentials") == "true", f"{label}: CORS must allow credentials")
    else:
        check(cors is None, f"{label}: HttpApi must have no CorsConfiguration when every caller is same-origin")

    # The distribution.
    dist = props("Distribution").get("DistributionConfig") or {}
    check(dist.get("Enabled") == "true", f"{label}: the distribution must be enabled")
    check(dist.get("HttpVersion") == "http2and3", f"{label}: the distribution must serve HTTP/2 and HTTP/3")
    check(dist.get("IPV6Enabled") == "true", f"{label}: the distribution must serve IPv6")
    # They belong to the whole distribution and would replace the API's JSON
    # 403/404 errors with a page.
    check(not dist.get("CustomErrorResponses"), f"{label}: the distribution must have no CustomErrorResponses (they would replace the API's JSON errors)")
    if domain:
        check(dist.get("Aliases") == [domain], f"{label}: Aliases must be [{domain}]")
        cert = dist.get("ViewerCertificate") or {}
        check(cert.get("AcmCertificateArn") == p.get("SiteCertificateArn"), f"{label}: the viewer certificate must be SiteCertificateArn")
        check(cert.get("SslSupportMethod") == "sni-only", f"{label}: the viewer certificate must be sni-only")
        check(cert.get("MinimumProtocolVersion") == "TLSv1.2_2021", f"{label}: viewers need TLSv1.2_2021 at least")
    else:
        check(not dist.get("Aliases"), f"{label}: no Aliases without SiteDomainName")
        check((dist.get("ViewerCertificate") or {}).get("CloudFrontDefaultCertificate") == "true", f"{label}: use CloudFront's certificate without SiteDomainName")

    dist_origins = {o.get("Id"): o for o in dist.get("Origins", [])}
    api_origin = dist_origins.get("api") or {}
    check(
        api_origin.get("DomainName") == f"<HttpApi>.execute-api.{region}.amazonaws.com",
        f"{label}: the api origin must be the HTTP API's execute-api domain",
    )
    custom = api_origin.get("CustomOriginConfig") or {}
    check(custom.get("OriginProtocolPolicy") == "https-only", f"{label}: CloudFront must reach the API over HTTPS only")
    check(custom.get("OriginSSLProtocols") == ["TLSv1.2"], f"{label}: CloudFront must reach the API with TLSv1.2")
    headers = {h.get("HeaderName"): h.get("HeaderValue") for h in api_origin.get("OriginCustomHeaders", [])}
    # A secretsmanager dynamic reference works in any resource property ("Get
    # a secret or secret value from Secrets Manager", CloudFormation User Guide).
    check(
        str(headers.get(ORIGIN_HEADER, "")).startswith("{{resolve:secretsmanager:<OriginVerifySecret>"),
        f"{label}: the api origin must add {ORIGIN_HEADER} from OriginVerifySecret",
    )
    site_origin = dist_origins.get("site")
    if hosts_site:
        if check(site_origin, f"{label}: the distribution needs the site bucket origin"):
            check(site_origin.get("DomainName") == "<SiteBucket.RegionalDomainName>", f"{label}: the site origin must be the bucket's regional domain")
            check(site_origin.get("OriginAccessControlId") == "<SiteOriginAccessControl.Id>", f"{label}: the site origin must use origin access control")
            check((site_origin.get("S3OriginConfig") or {}).get("OriginAccessIdentity") == "", f"{label}: the site origin must use no origin access identity")
            check(ORIGIN_HEADER not in json.dumps(site_origin), f"{label}: the origin-verify secret must not go to S3")
        check(dist.get("DefaultRootObject") == "index.html", f"{label}: DefaultRootObject must be index.html")
    else:
        check(site_origin is None, f"{label}: no site origin with ExistingSiteUrl")
        for name in ("SiteBucket", "SiteBucketPolicy", "SiteOriginAccessControl", "SiteIndexFunction"):
            check(name not in res, f"{label}: {name} must not be created with ExistingSiteUrl")

    # Behaviours, in CloudFront's order (the first matching pattern wins).
    behaviours = dist.get("CacheBehaviors") or []
    patterns = [b.get("PathPattern") for b in behaviours]
    check(patterns == ["/auth/client.js", "/auth/*", "/api/*"], f"{label}: cache behaviours are {patterns}, want /auth/client.js (before /auth/*), /auth/*, /api/*")
    default = dist.get("DefaultCacheBehavior") or {}
    every = [("default", default)] + [(b.get("PathPattern"), b) for b in behaviours]
    for where, b in every:
        check(b.get("ViewerProtocolPolicy") == "redirect-to-https", f"{label}: behaviour {where} must redirect HTTP to HTTPS")
        check(b.get("ResponseHeadersPolicyId") == "<SecurityHeadersPolicy>", f"{label}: behaviour {where} must use SecurityHeadersPolicy")
        check(b.get("TargetOriginId") in dist_origins, f"{label}: behaviour {where} targets unknown origin {b.get('TargetOriginId')}")
        check(not b.get("ForwardedValues"), f"{label}: behaviour {where} must use policies, not legacy ForwardedValues")
        if b.get("TargetOriginId") == "api" and b.get("OriginRequestPolicyId"):
            # AllViewerExceptHostHeader: every viewer header, cookie and query
            # string but Host, which API Gateway would refuse ("How do I
            # configure CloudFront to forward the Host header to the origin?",
            # AWS Knowledge Center). Authorization reaches the origin with it
            # only when caching is off ("How can I configure CloudFront to
            # forward the Authorization header to the origin?", AWS Knowledge
            # Center, https://repost.aws/knowledge-center/cloudfront-authorization-header).
            check(b.get("OriginRequestPolicyId") == ALL_VIEWER_EXCEPT_HOST, f"{label}: behaviour {where} must forward all but Host (AllViewerExceptHostHeader)")
            check(b.get("CachePolicyId") == CACHING_DISABLED, f"{label}: behaviour {where} forwards viewer requests, so it must not cache (CachingDisabled)")
            check(set(b.get("AllowedMethods") or []) == ALL_METHODS, f"{label}: behaviour {where} must allow every method")

    def api_behaviour(where, b):
        check(b.get("TargetOriginId") == "api", f"{label}: behaviour {where} must go to the API")
        check(b.get("OriginRequestPolicyId") == ALL_VIEWER_EXCEPT_HOST, f"{label}: behaviour {where} must use AllViewerExceptHostHeader")

    by_pattern = dict(zip(patterns, behaviours))
    for pattern in ("/auth/*", "/api/*"):
        api_behaviour(pattern, by_pattern.get(pattern) or {})
    client_js = by_pattern.get("/auth/client.js") or {}
    check(client_js.get("TargetOriginId") == "api", f"{label}: /auth/client.js must come from the API")
    check(client_js.get("CachePolicyId") == CACHING_OPTIMIZED, f"{label}: /auth/client.js must be cached (CachingOptimized)")
    check(sorted(client_js.get("AllowedMethods") or []) == ["GET", "HEAD"], f"{label}: /auth/client.js allows GET and HEAD only")
    check(not client_js.get("OriginRequestPolicyId"), f"{label}: /auth/client.js needs no cookies or query strings at the origin")
    if hosts_site:
        check(default.get("TargetOriginId") == "site", f"{label}: the default behaviour must serve the site bucket")
        check(default.get("CachePolicyId") == CACHING_OPTIMIZED, f"{label}: the site must be cached (CachingOptimized)")
        check(sorted(default.get("AllowedMethods") or []) == ["GET", "HEAD"], f"{label}: the site allows GET and HEAD only")
        check(default.get("Compress") == "true", f"{label}: the site must be compressed")
        assoc = default.get("FunctionAssociations") or []
        check(
            [(a.get("EventType"), a.get("FunctionARN")) for a in assoc] == [("viewer-request", "<SiteIndexFunction.FunctionARN>")],
            f"{label}: the site behaviour must run SiteIndexFunction on viewer requests",
        )
    else:
        api_behaviour("default", default)

    # Security headers.
    shc = (props("SecurityHeadersPolicy").get("ResponseHeadersPolicyConfig") or {}).get("SecurityHeadersConfig") or {}
    hsts = shc.get("StrictTransportSecurity") or {}
    check(
        (hsts.get("AccessControlMaxAgeSec"), hsts.get("IncludeSubdomains"), hsts.get("Override")) == ("63072000", "true", "true"),
        f"{label}: HSTS must be max-age 63072000, includeSubdomains, override",
    )
    check((shc.get("ContentTypeOptions") or {}).get("Override") == "true", f"{label}: X-Content-Type-Options nosniff must be set")
    check((shc.get("ReferrerPolicy") or {}).get("ReferrerPolicy") == "strict-origin-when-cross-origin", f"{label}: Referrer-Policy must be strict-origin-when-cross-origin")
    check((shc.get("FrameOptions") or {}).get("FrameOption") == "DENY", f"{label}: X-Frame-Options must be DENY")
    csp = p.get("ContentSecurityPolicy", "")
    if csp:
        check((shc.get("ContentSecurityPolicy") or {}).get("ContentSecurityPolicy") == csp, f"{label}: the CSP header must be the ContentSecurityPolicy parameter")
    else:
        check("ContentSecurityPolicy" not in shc, f"{label}: a blank ContentSecurityPolicy must send no CSP header")

    # The site's bucket: private, owner-enforced, encrypted, TLS only, read by
    # this distribution only through origin access control ("Restrict access
    # to an Amazon S3 origin", CloudFront Developer Guide).
    if hosts_site:
        bucket = res.get("SiteBucket") or {}
        bp = bucket.get("Properties") or {}
        check(bucket.get("DeletionPolicy") == "Retain" and bucket.get("UpdateReplacePolicy") == "Retain", f"{label}: the site bucket must be retained (a non-empty bucket cannot be deleted)")
        pab = bp.get("PublicAccessBlockConfiguration") or {}
        check(
            all(pab.get(k) == "true" for k in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")),
            f"{label}: the site bucket must block all public access",
        )
        check(
            [r.get("ObjectOwnership") for r in (bp.get("OwnershipControls") or {}).get("Rules", [])] == ["BucketOwnerEnforced"],
            f"{label}: the site bucket must be BucketOwnerEnforced (origin access control needs it)",
        )
        sse = [r.get("ServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for r in (bp.get("BucketEncryption") or {}).get("ServerSideEncryptionConfiguration", [])]
        check(sse == ["AES256"], f"{label}: the site bucket must use SSE-S3")
        oac = props("SiteOriginAccessControl").get("OriginAccessControlConfig") or {}
        check(
            (oac.get("OriginAccessControlOriginType"), oac.get("SigningBehavior"), oac.get("SigningProtocol")) == ("s3", "always", "sigv4"),
            f"{label}: origin access control must sign every S3 request with SigV4",
        )
        statements = (props("SiteBucketPolicy").get("PolicyDocument") or {}).get("Statement", [])
        dist_arn = f"arn:aws:cloudfront::{ACCOUNT}:distribution/<Distribution>"
        allows = {}
        for st in statements:
            if st.get("Effect") == "Allow":
                check(st.get("Principal") == {"Service": "cloudfront.amazonaws.com"}, f"{label}: the site bucket may only allow CloudFront")
                check(
                    (st.get("Condition") or {}).get("StringEquals", {}).get("AWS:SourceArn") == dist_arn,
                    f"{label}: the site bucket must allow this distribution only (AWS:SourceArn)",
                )
                for a in [st.get("Action")] if isinstance(st.get("Action"), str) else st.get("Action", []):
                    allows[a] = st.get("Resource")
        check(allows.get("s3:GetObject") in ("<SiteBucket.Arn>/*", ["<SiteBucket.Arn>/*"]), f"{label}: CloudFront must read the bucket's objects")
        # Without ListBucket S3 answers a missing key with 403, not 404
        # (GetObject, "Permissions", Amazon S3 API Reference).
        check(allows.get("s3:ListBucket") in ("<SiteBucket.Arn>", ["<SiteBucket.Arn>"]), f"{label}: CloudFront needs s3:ListBucket so missing pages are 404")
        check(set(allows) == {"s3:GetObject", "s3:ListBucket"}, f"{label}: the site bucket allows {sorted(allows)}, want GetObject and ListBucket only")
        check(
            any(
                st.get("Effect") == "Deny" and (st.get("Condition") or {}).get("Bool", {}).get("aws:SecureTransport") == "false"
                for st in statements
            ),
            f"{label}: the site bucket must refuse requests without TLS",
        )
        # Both names are unique per account and at most 64 characters.
        for name, value in (
            ("SiteIndexFunction", props("SiteIndexFunction").get("Name", "")),
            ("SiteOriginAccessControl", (props("SiteOriginAccessControl").get("OriginAccessControlConfig") or {}).get("Name", "")),
        ):
            check(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", value) is not None, f"{label}: {name}'s name {value!r} is not 1-64 letters, digits, - or _")
        cf_fn = props("SiteIndexFunction")
        check((cf_fn.get("FunctionConfig") or {}).get("Runtime") == "cloudfront-js-2.0", f"{label}: SiteIndexFunction must run on cloudfront-js-2.0")
        check(cf_fn.get("AutoPublish") == "true", f"{label}: SiteIndexFunction must be published (AutoPublish)")

    # The authorizer's origin header is the one CloudFront adds.
    authz_sources = props("SessionAuthorizer").get("IdentitySource") or []
    check(
        f"$request.header.{ORIGIN_HEADER}".lower() in [s.lower() for s in authz_sources],
        f"{label}: SessionAuthorizer must list CloudFront's {ORIGIN_HEADER} header as an identity source",
    )
    # --- Cognito: domain prefix, sign-in flow, e-mail --------------------------
    # Blank DomainPrefix: monban-<first segment of the stack's UUID>-<account>,
    # unique per region across accounts without the user's help. Prefix rules:
    # the Domain property's pattern, 1-63 characters (AWS::Cognito::UserPoolDomain,
    # CloudFormation Template Reference), and none of the words Cognito refuses.
    prefix = p.get("DomainPrefix") or f"monban-{STACK_UUID.split('-')[0]}-{ACCOUNT}"
    domain_prop = props("UserPoolDomain").get("Domain")
    check(domain_prop == prefix, f"{label}: the managed-login prefix is {domain_prop!r}, want {prefix!r}")
    check(
        re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", str(domain_prop)) is not None
        and not re.search(r"aws|amazon|cognito", str(domain_prop)),
        f"{label}: the managed-login prefix {domain_prop!r} breaks Cognito's prefix rules",
    )
    hosted = f"https://{prefix}.auth.{region}.amazoncognito.com"
    check(fenv.get("MONBAN_COGNITO_DOMAIN") == hosted, f"{label}: MONBAN_COGNITO_DOMAIN is {fenv.get('MONBAN_COGNITO_DOMAIN')!r}, want {hosted!r}")
    check(outs.get("HostedUiDomain") == hosted, f"{label}: the HostedUiDomain output is {outs.get('HostedUiDomain')!r}, want {hosted!r}")

    admin_flow = p.get("PasswordAuthFlow") == "ADMIN_USER_PASSWORD_AUTH"
    lite = p.get("FeaturePlan") == "LITE"
    want_flows = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"] + (["ALLOW_ADMIN_USER_PASSWORD_AUTH"] if admin_flow else [])
    # Choice-based sign-in (ALLOW_USER_AUTH) needs the Essentials tier or
    # higher (ExplicitAuthFlows, UserPoolClientType, Amazon Cognito API
    # Reference).
    want_flows += [] if lite else ["ALLOW_USER_AUTH"]
    check(
        sorted(app.get("ExplicitAuthFlows") or []) == sorted(want_flows),
        f"{label}: app client auth flows are {app.get('ExplicitAuthFlows')!r}, want {sorted(want_flows)}",
    )
    check(fenv.get("MONBAN_AUTH_FLOW") == p.get("PasswordAuthFlow"), f"{label}: MONBAN_AUTH_FLOW must be {p.get('PasswordAuthFlow')}")
    # Hidden sign-up and the trigger's auto-confirm come from the two parameters
    # the Rules check together: the API cannot see the trigger's setting.
    signup_env = (props("PreSignUpFunction").get("Environment") or {}).get("Variables") or {}
    hide, auto_confirm = fenv.get("MONBAN_SIGN_UP_HIDE_EXISTING"), signup_env.get("MONBAN_SIGNUP_AUTO_CONFIRM")
    check(hide == p.get("SignUpHideExisting"), f"{label}: MONBAN_SIGN_UP_HIDE_EXISTING is {hide!r}, want {p.get('SignUpHideExisting')!r}")
    check(auto_confirm == p.get("SignUpAutoConfirm"), f"{label}: the trigger's MONBAN_SIGNUP_AUTO_CONFIRM is {auto_confirm!r}, want {p.get('SignUpAutoConfirm')!r}")
    check(not (hide == "true" and auto_confirm != "false"), f"{label}: hidden sign-up with auto-confirm on tells a new address from a taken one")
    # AdminInitiateAuth and AdminRespondToAuthChallenge are authorized by IAM
    # (Amazon Cognito API Reference): granted on this pool exactly when chosen.
    api_actions = allowed_actions(props("ApiFunctionRole"))
    want_actions = {"secretsmanager:GetSecretValue"}
    if admin_flow:
        want_actions |= {"cognito-idp:AdminInitiateAuth", "cognito-idp:AdminRespondToAuthChallenge"}
    check(set(api_actions) == want_actions, f"{label}: ApiFunction may do {sorted(api_actions)}, want {sorted(want_actions)}")
    for action in want_actions - {"secretsmanager:GetSecretValue"}:
        check(api_actions.get(action) in ("<UserPool.Arn>", ["<UserPool.Arn>"]), f"{label}: {action} must be scoped to the user pool")
    check(
        sorted(api_actions.get("secretsmanager:GetSecretValue") or []) == sorted(f"<{s}>" for s in API_SECRETS),
        f"{label}: ApiFunction must read exactly {sorted(API_SECRETS)}",
    )

    # --- passwordless sign-in ---------------------------------------------
    # SignInPolicy, WebAuthnRelyingPartyID and WebAuthnUserVerification
    # (AWS::Cognito::UserPool, CloudFormation Template Reference) need the
    # Essentials tier or higher: set on ESSENTIALS and PLUS, absent on LITE.
    pool_props = props("UserPool")
    sign_in_policy = (pool_props.get("Policies") or {}).get("SignInPolicy")
    given_factors = [f for f in p.get("SignInFirstFactors", [""]) if f]
    if lite:
        check(sign_in_policy is None, f"{label}: LITE signs in with passwords only: the pool must have no SignInPolicy")
        for key in ("WebAuthnRelyingPartyID", "WebAuthnUserVerification"):
            check(key not in pool_props, f"{label}: LITE has no passkeys: the pool must not set {key}")
    else:
        ses = bool(p.get("SesIdentityArn"))
        want_factors = given_factors or (["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"] if ses else ["PASSWORD", "WEB_AUTHN"])
        factors = (sign_in_policy or {}).get("AllowedFirstAuthFactors")
        check(factors == want_factors, f"{label}: AllowedFirstAuthFactors are {factors!r}, want {want_factors}")
        check("PASSWORD" in (factors or []), f"{label}: AllowedFirstAuthFactors must include PASSWORD")
        check("EMAIL_OTP" not in (factors or []) or ses, f"{label}: EMAIL_OTP needs the pool to send through SES")
        # The RP id must be the host of the page that signs in, or a
        # registrable suffix of it (Web Authentication Level 3, "RP ID").
        page_host = existing.split("//", 1)[1].split(":")[0] if existing else (domain or "<Distribution.DomainName>")
        want_rp = p.get("WebAuthnRelyingPartyId") or page_host
        rp = pool_props.get("WebAuthnRelyingPartyID")
        check(rp == want_rp, f"{label}: WebAuthnRelyingPartyID is {rp!r}, want {want_rp!r}")
        check(
            rp == page_host or page_host.endswith(f".{rp}"),
            f"{label}: WebAuthnRelyingPartyID {rp!r} is neither the page's host {page_host!r} nor a suffix of it",
        )
        check(
            pool_props.get("WebAuthnUserVerification") == p.get("WebAuthnUserVerification"),
            f"{label}: WebAuthnUserVerification must be the parameter ({p.get('WebAuthnUserVerification')})",
        )

    # Cognito's own sender is capped at 50 e-mails a day per account ("Quotas
    # in Amazon Cognito"); SesIdentityArn switches to SES (DEVELOPER).
    email = props("UserPool").get("EmailConfiguration")
    if p.get("SesIdentityArn"):
        if check(email, f"{label}: SesIdentityArn needs the pool's EmailConfiguration"):
            check(email.get("EmailSendingAccount") == "DEVELOPER", f"{label}: sending through SES needs EmailSendingAccount DEVELOPER")
            check(email.get("SourceArn") == p["SesIdentityArn"], f"{label}: EmailConfiguration SourceArn must be SesIdentityArn")
            check(email.get("From") == (p.get("SesFromAddress") or None), f"{label}: EmailConfiguration From must be SesFromAddress")
            check(email.get("ReplyToEmailAddress") == (p.get("SesReplyTo") or None), f"{label}: EmailConfiguration ReplyToEmailAddress must be SesReplyTo")
    else:
        check(email is None, f"{label}: without SesIdentityArn the pool keeps Cognito's default e-mail (no EmailConfiguration)")
    check("50 a day" in PARAMS.get("SesIdentityArn", {}).get("Description", ""), "SesIdentityArn's description must state Cognito's 50 e-mails a day")

    # --- social and enterprise sign-in ------------------------------------
    # Each provider exists exactly when all of its parameters are given (the
    # Rules refuse the rest), with the ProviderDetails keys of its type
    # ("AWS::Cognito::UserPoolIdentityProvider", ProviderDetails, CloudFormation
    # Template Reference), its secret only as a Secrets Manager dynamic
    # reference, e-mail always mapped (the pool requires it) and every mapped
    # attribute writable by the app client (WriteAttributes, UserPoolClientType,
    # Amazon Cognito API Reference). The app client supports COGNITO plus
    # exactly those, is ordered after them, and the API is told their names.
    def resolve_secret(arn):
        return f"{{{{resolve:secretsmanager:{arn}:SecretString}}}}"

    want_idps = []  # (logical id, provider name, type, details, mapped email_verified)
    if p.get("GoogleClientId") and p.get("GoogleClientSecretArn"):
        want_idps.append(("GoogleIdentityProvider", "Google", "Google", {
            "client_id": p["GoogleClientId"], "client_secret": resolve_secret(p["GoogleClientSecretArn"]),
            "authorize_scopes": p.get("GoogleScopes"),
        }, True))
    if all(p.get(k) for k in ("AppleServicesId", "AppleTeamId", "AppleKeyId", "ApplePrivateKeySecretArn")):
        want_idps.append(("AppleIdentityProvider", "SignInWithApple", "SignInWithApple", {
            "client_id": p["AppleServicesId"], "team_id": p["AppleTeamId"], "key_id": p["AppleKeyId"],
            "private_key": resolve_secret(p["ApplePrivateKeySecretArn"]), "authorize_scopes": p.get("AppleScopes"),
        }, True))
    if p.get("FacebookAppId") and p.get("FacebookAppSecretArn"):
        want_idps.append(("FacebookIdentityProvider", "Facebook", "Facebook", {
            "client_id": p["FacebookAppId"], "client_secret": resolve_secret(p["FacebookAppSecretArn"]),
            "authorize_scopes": p.get("FacebookScopes"),
        }, False))
    if all(p.get(k) for k in ("OidcProviderName", "OidcClientId", "OidcClientSecretArn", "OidcIssuerUrl")):
        want_idps.append(("OidcIdentityProvider", p["OidcProviderName"], "OIDC", {
            "client_id": p["OidcClientId"], "client_secret": resolve_secret(p["OidcClientSecretArn"]),
            "oidc_issuer": p["OidcIssuerUrl"], "authorize_scopes": p.get("OidcScopes"), "attributes_request_method": "GET",
        }, True))
    if p.get("SamlProviderName") and p.get("SamlMetadataUrl"):
        want_idps.append(("SamlIdentityProvider", p["SamlProviderName"], "SAML", {"MetadataURL": p["SamlMetadataUrl"]}, False))
    idp_resources = {n for n, r in res.items() if r.get("Type") == "AWS::Cognito::UserPoolIdentityProvider"}
    check(
        idp_resources == {w[0] for w in want_idps},
        f"{label}: identity providers are {sorted(idp_resources)}, want {sorted(w[0] for w in want_idps)}",
    )
    write_attrs = app.get("WriteAttributes") or []
    maps_verified = any(w[4] for w in want_idps)
    for logical, name, ptype, details, verified in want_idps:
        idp = props(logical)
        check(idp.get("UserPoolId") == "<UserPool>", f"{label}: {logical} must belong to the user pool")
        check((idp.get("ProviderName"), idp.get("ProviderType")) == (name, ptype), f"{label}: {logical} is {idp.get('ProviderName')!r}/{idp.get('ProviderType')!r}, want {name}/{ptype}")
        check(idp.get("ProviderDetails") == details, f"{label}: {logical}'s ProviderDetails are {idp.get('ProviderDetails')!r}, want {details!r}")
        mapping = idp.get("AttributeMapping") or {}
        check("email" in mapping, f"{label}: {logical} must map email (the pool requires it)")
        check(("email_verified" in mapping) == verified, f"{label}: {logical} must map email_verified exactly when {ptype} sends it")
        unwritable = sorted(set(mapping) - set(write_attrs))
        check(not unwritable, f"{label}: {logical} maps {unwritable}, which the app client cannot write (Cognito would fail the sign-in)")
        # Ordered after the provider it names: the client references it.
        check(logical in sc.refs("UserPoolClient"), f"{label}: UserPoolClient must depend on {logical}")
    check(
        ("email_verified" in write_attrs) == maps_verified,
        f"{label}: email_verified must be writable by the app client exactly when a provider maps it",
    )
    want_names = [w[1] for w in want_idps]
    check(
        app.get("SupportedIdentityProviders") == ["COGNITO"] + want_names,
        f"{label}: SupportedIdentityProviders are {app.get('SupportedIdentityProviders')!r}, want {['COGNITO'] + want_names!r}",
    )
    check(len(set(want_names)) == len(want_names), f"{label}: provider names {want_names} must be unique")
    check(all("," not in n for n in want_names), f"{label}: provider names must not contain commas (MONBAN_IDENTITY_PROVIDERS)")
    check(
        fenv.get("MONBAN_IDENTITY_PROVIDERS") == ",".join(want_names),
        f"{label}: MONBAN_IDENTITY_PROVIDERS is {fenv.get('MONBAN_IDENTITY_PROVIDERS')!r}, want {','.join(want_names)!r}",
    )
    check(
        outs.get("IdentityProviderRedirectUri") == f"{hosted}/oauth2/idpresponse",
        f"{label}: IdentityProviderRedirectUri is {outs.get('IdentityProviderRedirectUri')!r}, want {hosted}/oauth2/idpresponse",
    )

    # --- account linking ----------------------------------------------------
    # The trigger may link only sign-ins whose provider maps email_verified
    # (Google, Apple, OIDC; never Facebook or SAML), only with the switch on,
    # and only where a self sign-up's verified address was proved by a code;
    # the grant exists exactly then, on this pool.
    link_on = p.get("LinkExternalToExistingAccount") == "true"
    link_names = [w[1] for w in want_idps if w[4]]
    check(
        signup_env.get("MONBAN_SIGNUP_LINK_EXISTING_ACCOUNTS") == p.get("LinkExternalToExistingAccount"),
        f"{label}: MONBAN_SIGNUP_LINK_EXISTING_ACCOUNTS must be LinkExternalToExistingAccount ({p.get('LinkExternalToExistingAccount')})",
    )
    check(
        signup_env.get("MONBAN_SIGNUP_LINK_PROVIDERS") == ",".join(link_names),
        f"{label}: MONBAN_SIGNUP_LINK_PROVIDERS is {signup_env.get('MONBAN_SIGNUP_LINK_PROVIDERS')!r}, want {','.join(link_names)!r}",
    )
    never = {w[1] for w in want_idps if w[2] in ("Facebook", "SAML")}
    check(
        not never & set(str(signup_env.get("MONBAN_SIGNUP_LINK_PROVIDERS", "")).split(",")),
        f"{label}: Facebook and SAML sign-ins must never be linked",
    )
    lp = props("PreSignUpFunctionLinkPolicy")
    link_statements = (lp.get("PolicyDocument") or {}).get("Statement", [])
    allows = any(st.get("Effect") == "Allow" for st in link_statements)
    check(allows == link_on, f"{label}: the linking grant must allow exactly when LinkExternalToExistingAccount=true")
    check(lp.get("RoleName") == "<PreSignUpFunctionRole>", f"{label}: the linking grant must be on the pre-sign-up function's role")
    resources_granted = {json.dumps(st.get("Resource")) for st in link_statements}
    check(resources_granted == {json.dumps("<UserPool.Arn>")}, f"{label}: the linking grant must be on this user pool only, got {resources_granted}")
    if link_on:
        check(link_names, f"{label}: linking needs Google, Apple or an OIDC provider")
        check(
            p.get("SignUpAutoVerifyEmail") == "false" or p.get("SignUpAutoConfirm") == "false",
            f"{label}: linking needs self sign-ups whose verified address a code proved",
        )

    # --- logs --------------------------------------------------------------
    # Lambda reads a JSON line's level from "level" and treats a missing or
    # unreadable one as INFO ("Log-level filtering", AWS Lambda Developer
    # Guide): its filter stays at INFO or below, so it never drops the API's
    # embedded-metric-format lines or a misread error line; DEBUG for debug.
    want_lambda_level = "DEBUG" if p.get("LogLevel") == "debug" else "INFO"
    for name in ("ApiFunction", "AuthorizerFunction", "PreSignUpFunction", "PreTokenGenerationFunction", "SampleApiFunction"):
        logging = props(name).get("LoggingConfig") or {}
        check(logging.get("LogFormat") == "JSON", f"{label}: {name} must log JSON")
        check(
            logging.get("ApplicationLogLevel") == want_lambda_level,
            f"{label}: {name}'s Lambda log filter is {logging.get('ApplicationLogLevel')!r}, want {want_lambda_level} for LogLevel={p.get('LogLevel')}",
        )
        fn_env = (props(name).get("Environment") or {}).get("Variables") or {}
        if name != "SampleApiFunction":
            check(fn_env.get("MONBAN_LOG_LEVEL") == p.get("LogLevel"), f"{label}: {name} MONBAN_LOG_LEVEL must be the LogLevel parameter")

    # --- teardown ------------------------------------------------------------
    # DeletionProtection ACTIVE: Cognito refuses DeleteUserPool ("User pool
    # deletion protection", Amazon Cognito Developer Guide), so the pool is
    # retained, with everything it invokes: each trigger function, its role
    # (assumed at every invocation), its log group and the permission that
    # lets Cognito invoke it. Nothing else is retained but the site bucket.
    protected = p.get("DeletionProtection") == "ACTIVE"
    check(props("UserPool").get("DeletionProtection") == p.get("DeletionProtection"), f"{label}: the pool's DeletionProtection must be the parameter")
    retained = {n for n, r in res.items() if r.get("DeletionPolicy") == "Retain"}
    for n, r in res.items():
        check(r.get("DeletionPolicy") in (None, "Retain", "Delete"), f"{label}: {n}'s DeletionPolicy resolves to {r.get('DeletionPolicy')!r}")
    want_retained = {"SiteBucket"} if hosts_site else set()
    lambda_config = props("UserPool").get("LambdaConfig") or {}
    trigger_arns = [v for k, v in lambda_config.items() if isinstance(v, str)]
    trigger_arns += [(lambda_config.get("PreTokenGenerationConfig") or {}).get("LambdaArn")]
    triggers = {a[1:-len(".Arn>")] for a in trigger_arns if isinstance(a, str) and a.startswith("<") and a.endswith(".Arn>")}
    check(triggers == {"PreSignUpFunction", "PreTokenGenerationFunction"}, f"{label}: the pool invokes {sorted(triggers)}")
    if protected:
        want_retained.add("UserPool")
        for fn_name in triggers:
            fn_props = props(fn_name)
            want_retained.add(fn_name)
            role_ref = str(fn_props.get("Role", ""))
            want_retained.add(role_ref[1:-len(".Arn>")] if role_ref.endswith(".Arn>") else role_ref)
            log_group = str((fn_props.get("LoggingConfig") or {}).get("LogGroup", ""))
            want_retained.add(log_group.strip("<>"))
            # A policy of its own on that role (the linking grant) goes with it.
            want_retained.update(
                n for n, r in res.items()
                if r.get("Type") == "AWS::IAM::RolePolicy" and (r.get("Properties") or {}).get("RoleName") == f"<{role_ref[1:-len('.Arn>')]}>"
            )
            perms = [
                n for n, r in res.items()
                if r.get("Type") == "AWS::Lambda::Permission"
                and (r.get("Properties") or {}).get("Principal") == "cognito-idp.amazonaws.com"
                and (r.get("Properties") or {}).get("FunctionName") in (f"<{fn_name}>", f"<{fn_name}.Arn>")
            ]
            check(perms, f"{label}: no Cognito invoke permission found for {fn_name}")
            want_retained.update(perms)
    check(
        retained == want_retained,
        f"{label}: DeletionProtection={p.get('DeletionProtection')} retains {sorted(retained)}, want {sorted(want_retained)}",
    )
    check(res.get("UserPool", {}).get("UpdateReplacePolicy") == "Retain", f"{label}: a replaced pool must be retained (its users)")

    # --- AWS WAF -------------------------------------------------------------
    # Web ACLs for CloudFront exist only in us-east-1 ("Resources that you can
    # protect with AWS WAF", AWS WAF Developer Guide); the distribution takes a
    # WAFv2 ACL by ARN (DistributionConfig WebACLId, CloudFront API Reference).
    waf_on = p.get("WafEnabled") == "true"
    waf_arn = p.get("WafWebAclArn", "")
    creates_acl = waf_on and not waf_arn and region == "us-east-1"
    check(("WebAcl" in res) == creates_acl, f"{label}: the stack must create its web ACL exactly when WafEnabled, no WafWebAclArn and us-east-1")
    want_acl = "<WebAcl.Arn>" if creates_acl else (waf_arn if waf_on else None)
    check(dist.get("WebACLId") == want_acl, f"{label}: the distribution's WebACLId is {dist.get('WebACLId')!r}, want {want_acl!r}")
    check(("WebAclArn" in outs) == creates_acl, f"{label}: the WebAclArn output must exist exactly when the stack creates the web ACL")
    if creates_acl:
        acl = props("WebAcl")
        check(acl.get("Scope") == "CLOUDFRONT", f"{label}: the web ACL must have scope CLOUDFRONT")
        check("Allow" in (acl.get("DefaultAction") or {}), f"{label}: the web ACL must allow by default")
        check(re.fullmatch(r"[\w-]{1,128}", str(acl.get("Name", ""))) is not None, f"{label}: web ACL name {acl.get('Name')!r} is not 1-128 word characters or hyphens")
        rules = {r.get("Name"): r for r in acl.get("Rules") or []}
        priorities = [r.get("Priority") for r in acl.get("Rules") or []]
        check(len(set(priorities)) == len(priorities), f"{label}: web ACL rule priorities must be unique")
        # 1. The per-IP rate limit on the routes that take a password or a code.
        rate = rules.get("auth-rate-limit-per-ip") or {}
        rbs = (rate.get("Statement") or {}).get("RateBasedStatement") or {}
        check(rbs.get("AggregateKeyType") == "IP", f"{label}: the rate limit must count per IP")
        check(rbs.get("Limit") == p.get("WafRateLimit"), f"{label}: the rate limit must be WafRateLimit")
        # "Valid settings are 60, 120, 300, and 600"; "The lowest limit setting
        # allowed is 10" ("Rate-based rule high-level settings", AWS WAF
        # Developer Guide).
        check(rbs.get("EvaluationWindowSec") == p.get("WafRateWindow") and p.get("WafRateWindow") in ("60", "120", "300", "600"), f"{label}: the rate window must be WafRateWindow (60, 120, 300 or 600)")
        check(int(p.get("WafRateLimit", "0")) >= 10, f"{label}: WAF's lowest rate limit is 10")
        scoped = ((rbs.get("ScopeDownStatement") or {}).get("OrStatement") or {}).get("Statements") or []
        paths = []
        for st in scoped:
            bm = st.get("ByteMatchStatement") or {}
            check(bm.get("FieldToMatch") == {"UriPath": {}}, f"{label}: the rate limit must match on the URI path")
            check(bm.get("PositionalConstraint") == "STARTS_WITH", f"{label}: the rate limit's paths must match as prefixes (trailing slashes)")
            check(any(t.get("Type") == "URL_DECODE" for t in bm.get("TextTransformations") or []), f"{label}: the rate limit's paths must be URL-decoded first")
            paths.append(bm.get("SearchString"))
        want_paths = [
            "/auth/sign-in/password", "/auth/sign-up", "/auth/confirm-sign-up", "/auth/resend-code",
            "/auth/forgot-password", "/auth/confirm-forgot-password", "/auth/challenge",
        ]
        check(sorted(paths) == sorted(want_paths), f"{label}: the rate limit covers {paths}, want {want_paths}")
        with open(os.path.join(template_dir, "openapi.yaml"), encoding="utf-8") as f:
            openapi = f.read()
        for path in want_paths:
            check(f"\n  {path}:\n" in openapi, f"{label}: rate-limited path {path} is not an endpoint in openapi.yaml")
        block = (rate.get("Action") or {}).get("Block") or {}
        response = block.get("CustomResponse") or {}
        check(response.get("ResponseCode") == "429", f"{label}: the rate limit must answer 429")
        body = ((acl.get("CustomResponseBodies") or {}).get(response.get("CustomResponseBodyKey")) or {})
        try:
            body_json = json.loads(body.get("Content", ""))
        except ValueError:
            body_json = {}
        check(
            body.get("ContentType") == "APPLICATION_JSON" and (body_json.get("error") or {}).get("code") == "too_many_requests"
            and "too_many_requests" in openapi,
            f"{label}: the rate limit's answer must be monban's JSON error too_many_requests",
        )
        # 2. AWS's core rule set ("Baseline rule groups", AWS WAF Developer
        # Guide), the body pattern rules and the cookie size rule counting.
        crs = rules.get("aws-common-rule-set") or {}
        mrg = (crs.get("Statement") or {}).get("ManagedRuleGroupStatement") or {}
        check((mrg.get("VendorName"), mrg.get("Name")) == ("AWS", "AWSManagedRulesCommonRuleSet"), f"{label}: the web ACL must use AWSManagedRulesCommonRuleSet")
        check("None" in (crs.get("OverrideAction") or {}), f"{label}: the core rule set's own actions must apply (OverrideAction None)")
        overrides = {o.get("Name"): o.get("ActionToUse") for o in mrg.get("RuleActionOverrides") or []}
        body_rules = {"CrossSiteScripting_BODY", "GenericLFI_BODY", "GenericRFI_BODY", "EC2MetaDataSSRF_BODY"}
        check(set(overrides) == body_rules | {"SizeRestrictions_Cookie_HEADER"}, f"{label}: core rule set overrides are {sorted(overrides)}")
        check(all("Count" in (a or {}) for a in overrides.values()), f"{label}: the core rule set's overrides must be Count")
        check(int(rate.get("Priority", 9)) < int(crs.get("Priority", 0)), f"{label}: the rate limit must run before the core rule set")
        # 3. The counted body rules still block outside /auth/, by their labels
        # ("Label match rule statement", AWS WAF Developer Guide).
        outside = rules.get("aws-common-body-rules-outside-auth") or {}
        check("Block" in (outside.get("Action") or {}), f"{label}: the body rules must still block outside /auth/")
        check(int(crs.get("Priority", 9)) < int(outside.get("Priority", 0)), f"{label}: label matching must run after the core rule set")
        parts = ((outside.get("Statement") or {}).get("AndStatement") or {}).get("Statements") or []
        labels = {
            (st.get("LabelMatchStatement") or {}).get("Key")
            for part in parts for st in ((part.get("OrStatement") or {}).get("Statements") or [])
        }
        want_labels = {"awswaf:managed:aws:core-rule-set:" + r.replace("_BODY", "_Body") for r in body_rules}
        check(labels == want_labels, f"{label}: the outside-/auth/ rule matches labels {sorted(labels)}, want {sorted(want_labels)}")
        nots = [(part.get("NotStatement") or {}).get("Statement", {}).get("ByteMatchStatement") or {} for part in parts if "NotStatement" in part]
        check(
            len(nots) == 1 and nots[0].get("SearchString") == "/auth/" and nots[0].get("PositionalConstraint") == "STARTS_WITH",
            f"{label}: the body rules must be exempted on /auth/ only",
        )
    else:
        check("WebAcl" not in res, f"{label}: no web ACL without WafEnabled in us-east-1")

    # --- alarms and dashboard ----------------------------------------------
    topic = p.get("AlarmTopicArn", "")
    alarms = {n: r.get("Properties") or {} for n, r in res.items() if r.get("Type") == "AWS::CloudWatch::Alarm"}
    want_alarms = {
        "ApiServerErrorsAlarm", "AuthorizerErrorsAlarm", "PreSignUpErrorsAlarm", "PreTokenGenerationErrorsAlarm",
        "FunctionThrottlesAlarm", "FailedSignInsAlarm",
    }
    check(set(alarms) == want_alarms, f"{label}: alarms are {sorted(alarms)}, want {sorted(want_alarms)}")
    for n, a in alarms.items():
        want_actions_list = [topic] if topic else None
        check(a.get("AlarmActions") == want_actions_list, f"{label}: {n} must notify AlarmTopicArn exactly when it is given")
        check(a.get("TreatMissingData") == "notBreaching", f"{label}: {n} must treat missing data as not breaching")
    api_5xx = alarms.get("ApiServerErrorsAlarm") or {}
    check(
        (api_5xx.get("Namespace"), api_5xx.get("MetricName")) == ("AWS/ApiGateway", "5xx")
        and {d.get("Name"): d.get("Value") for d in api_5xx.get("Dimensions") or []} == {"ApiId": "<HttpApi>", "Stage": "$default"},
        f"{label}: the 5xx alarm must watch the HTTP API's 5xx by ApiId and the $default Stage",
    )
    for n, fn_name in (("AuthorizerErrorsAlarm", "AuthorizerFunction"), ("PreSignUpErrorsAlarm", "PreSignUpFunction"), ("PreTokenGenerationErrorsAlarm", "PreTokenGenerationFunction")):
        a = alarms.get(n) or {}
        check(
            (a.get("Namespace"), a.get("MetricName")) == ("AWS/Lambda", "Errors")
            and a.get("Dimensions") == [{"Name": "FunctionName", "Value": f"<{fn_name}>"}],
            f"{label}: {n} must watch {fn_name}'s Errors",
        )
    throttled = {
        (m.get("MetricStat") or {}).get("Metric", {}).get("Dimensions", [{}])[0].get("Value")
        for m in (alarms.get("FunctionThrottlesAlarm") or {}).get("Metrics") or [] if "MetricStat" in m
    }
    check(
        throttled == {"<ApiFunction>", "<AuthorizerFunction>", "<PreSignUpFunction>", "<PreTokenGenerationFunction>"},
        f"{label}: the throttles alarm must cover the API, the authorizer and both triggers, got {sorted(map(str, throttled))}",
    )
    failed = alarms.get("FailedSignInsAlarm") or {}
    check(
        (failed.get("Namespace"), failed.get("MetricName")) == ("monban", "SignIn")
        # The API writes its metrics with the dimensions Function (its own name) and Outcome
        # (internal/metrics): the alarm must name both, or it watches nothing.
        and failed.get("Dimensions") == [{"Name": "Function", "Value": "<ApiFunction>"}, {"Name": "Outcome", "Value": "failure"}]
        and failed.get("Threshold") == p.get("FailedSignInAlarmThreshold"),
        f"{label}: the failed sign-in alarm must watch monban's SignIn metric for ApiFunction, Outcome failure, above FailedSignInAlarmThreshold",
    )
    try:
        board = json.loads(props("Dashboard").get("DashboardBody", ""))
    except ValueError as exc:
        board = {}
        errors.append(f"{label}: the dashboard body is not JSON: {exc}")
    board_metrics = [tuple(m[:2]) for w in board.get("widgets", []) for m in (w.get("properties") or {}).get("metrics", [])]
    for want in (
        ("AWS/ApiGateway", "Count"), ("AWS/ApiGateway", "4xx"), ("AWS/ApiGateway", "5xx"), ("AWS/ApiGateway", "Latency"),
        ("AWS/Lambda", "Errors"), ("AWS/Lambda", "Duration"),
        ("monban", "SignIn"), ("monban", "SignUp"), ("monban", "Refresh"), ("monban", "SignOut"),
    ):
        check(want in board_metrics, f"{label}: the dashboard lacks {want[0]} {want[1]}")
    board_text = json.dumps(board)
    for ref in ("<HttpApi>", "<ApiFunction>", "<AuthorizerFunction>", "<PreSignUpFunction>", "<PreTokenGenerationFunction>"):
        check(ref in board_text, f"{label}: the dashboard must show {ref.strip('<>')}")
    check(all((w.get("properties") or {}).get("region") == region for w in board.get("widgets", [])), f"{label}: every dashboard widget must be in the stack's region")
    return sc


CERT = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555"
WEB_ACL = f"arn:aws:wafv2:us-east-1:{ACCOUNT}:global/webacl/monban-shared/a1b2c3d4-5678-90ab-cdef-111111111111"
SES = f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/example.com"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:monban-alarms"
BASE = {}


def secret(name):
    return f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:monban/{name}-AbCdEf"


GOOGLE = dict(GoogleClientId="1234567890-abc123.apps.googleusercontent.com", GoogleClientSecretArn=secret("google"))
APPLE = dict(AppleServicesId="com.example.web", AppleTeamId="ABCDE12345", AppleKeyId="KEY1234567", ApplePrivateKeySecretArn=secret("apple"))
FACEBOOK = dict(FacebookAppId="123456789012345", FacebookAppSecretArn=secret("facebook"))
OIDC = dict(OidcProviderName="Okta", OidcClientId="0oa1example", OidcClientSecretArn=secret("okta"), OidcIssuerUrl="https://example.okta.com")
SAML = dict(SamlProviderName="Corp", SamlMetadataUrl="https://idp.example.com/metadata.xml")
# (parameters, region): the region matters to WAF, whose CloudFront web ACLs
# exist only in us-east-1.
deployments = {
    "defaults": (dict(BASE), REGION),
    "custom domain": (dict(BASE, SiteDomainName="www.example.com", SiteCertificateArn=CERT), REGION),
    "existing site": (dict(
        BASE, SiteDomainName="auth.example.com", SiteCertificateArn=CERT, ExistingSiteUrl="https://www.example.com",
        FrontendOrigins="http://localhost:4321",
    ), REGION),
    "extra origins, no CSP": (dict(BASE, FrontendOrigins="http://localhost:4321,https://preview.example.com", ContentSecurityPolicy=""), REGION),
    "a chosen domain prefix, unprotected pool": (dict(BASE, DomainPrefix="monban-validate", DeletionProtection="INACTIVE", LogLevel="debug"), REGION),
    "WAF in us-east-1": (dict(BASE, WafEnabled="true", WafRateLimit="10", WafRateWindow="60", LogLevel="warn"), REGION),
    "WAF in eu-west-1 with a us-east-1 web ACL": (dict(BASE, WafEnabled="true", WafWebAclArn=WEB_ACL), "eu-west-1"),
    "no WAF in ap-northeast-1": (dict(BASE), "ap-northeast-1"),
    "SES e-mail": (dict(BASE, SesIdentityArn=SES, SesFromAddress="Example <no-reply@example.com>", SesReplyTo="help@example.com"), REGION),
    "SES e-mail, identity only": (dict(BASE, SesIdentityArn=SES), REGION),
    "admin sign-in flow": (dict(BASE, PasswordAuthFlow="ADMIN_USER_PASSWORD_AUTH"), REGION),
    "alarm topic": (dict(BASE, AlarmTopicArn=TOPIC, FailedSignInAlarmThreshold="25"), REGION),
    "hidden sign-up, confirmed by e-mail": (dict(BASE, SignUpHideExisting="true", SignUpAutoConfirm="false"), REGION),
    "sign-ups confirmed by e-mail": (dict(BASE, SignUpAutoConfirm="false"), REGION),
    # Passwordless sign-in: the first factors per plan and e-mail sender, the
    # passkeys' RP id per hosting mode.
    "LITE plan, passwords only": (dict(BASE, FeaturePlan="LITE"), REGION),
    "LITE plan, PASSWORD given": (dict(BASE, FeaturePlan="LITE", SignInFirstFactors="PASSWORD"), REGION),
    "PLUS plan, SES, all three factors by default": (dict(BASE, FeaturePlan="PLUS", SesIdentityArn=SES), REGION),
    "passkeys only beside the password, required user verification": (dict(
        BASE, SignInFirstFactors="PASSWORD,WEB_AUTHN", WebAuthnUserVerification="required",
    ), REGION),
    "e-mail codes and password, SES": (dict(BASE, SignInFirstFactors="EMAIL_OTP,PASSWORD", SesIdentityArn=SES), REGION),
    "passkeys on an existing site with a port": (dict(
        BASE, SiteDomainName="auth.example.com", SiteCertificateArn=CERT, ExistingSiteUrl="https://www.example.com:8443",
    ), REGION),
    "passkeys shared by sibling subdomains": (dict(
        BASE, SiteDomainName="auth.example.com", SiteCertificateArn=CERT, ExistingSiteUrl="https://www.example.com",
        WebAuthnRelyingPartyId="example.com",
    ), REGION),
    # Social and enterprise sign-in: each provider alone, two together, all.
    "Google sign-in": (dict(BASE, **GOOGLE), REGION),
    "Apple sign-in": (dict(BASE, **APPLE), REGION),
    "Facebook and Google sign-in": (dict(BASE, **FACEBOOK, **GOOGLE, GoogleScopes="openid email"), REGION),
    "an OIDC provider": (dict(BASE, **OIDC), "eu-west-1"),
    "a SAML provider": (dict(BASE, **SAML, DomainPrefix="monban-saml"), REGION),
    "every identity provider, LITE plan": (dict(BASE, **GOOGLE, **APPLE, **FACEBOOK, **OIDC, **SAML, FeaturePlan="LITE"), REGION),
    # Account linking: on with Google (a protected pool keeps its grant), on
    # with every provider (Facebook and SAML left out) where codes prove
    # addresses at sign-up, in an unprotected pool.
    "Google sign-in, linking existing accounts": (dict(BASE, **GOOGLE, LinkExternalToExistingAccount="true", SignUpAutoVerifyEmail="false"), REGION),
    "every identity provider, linking, codes at sign-up, unprotected pool": (dict(
        BASE, **GOOGLE, **APPLE, **FACEBOOK, **OIDC, **SAML, LinkExternalToExistingAccount="true", SignUpAutoConfirm="false",
        DeletionProtection="INACTIVE",
    ), "eu-west-1"),
    "everything on": (dict(
        BASE, SiteDomainName="www.example.com", SiteCertificateArn=CERT, WafEnabled="true", SesIdentityArn=SES,
        SesFromAddress="no-reply@example.com", PasswordAuthFlow="ADMIN_USER_PASSWORD_AUTH", AlarmTopicArn=TOPIC,
        ClaimMappings="custom:tenant=tenant,groups=roles", LogLevel="error", SignUpHideExisting="true", SignUpAutoConfirm="false",
    ), REGION),
}
for label, (given, region) in deployments.items():
    check_deployment(label, given, region)

# The Rules must refuse the combinations that cannot work.
for label, (given, region) in {
    "a domain without a certificate": (dict(BASE, SiteDomainName="www.example.com"), REGION),
    "a certificate without a domain": (dict(BASE, SiteCertificateArn=CERT), REGION),
    "an existing site without a domain": (dict(BASE, ExistingSiteUrl="https://www.example.com"), REGION),
    # Web ACLs for CloudFront are created in us-east-1 only.
    "WAF outside us-east-1 without a web ACL": (dict(BASE, WafEnabled="true"), "eu-west-1"),
    "a web ACL without WafEnabled": (dict(BASE, WafWebAclArn=WEB_ACL), REGION),
    "an SES From address without an SES identity": (dict(BASE, SesFromAddress="no-reply@example.com"), REGION),
    "an SES Reply-To without an SES identity": (dict(BASE, SesReplyTo="help@example.com"), REGION),
    # Issue 11, item 3: auto-confirmed accounts let a sign-in with the chosen
    # password tell a new address from a taken one.
    "hidden sign-up with auto-confirm by default": (dict(BASE, SignUpHideExisting="true"), REGION),
    "hidden sign-up with auto-confirm": (dict(BASE, SignUpHideExisting="true", SignUpAutoConfirm="true"), REGION),
    # Passwordless: LITE has password sign-in only (SignInPolicyType,
    # Essentials tier or higher); e-mailed codes need SES; PASSWORD stays.
    "passkeys on the LITE plan": (dict(BASE, FeaturePlan="LITE", SignInFirstFactors="PASSWORD,WEB_AUTHN"), REGION),
    "e-mail codes on the LITE plan": (dict(BASE, FeaturePlan="LITE", SignInFirstFactors="PASSWORD,EMAIL_OTP", SesIdentityArn=SES), REGION),
    "a passkey RP id on the LITE plan": (dict(BASE, FeaturePlan="LITE", WebAuthnRelyingPartyId="example.com"), REGION),
    "e-mail codes without SES": (dict(BASE, SignInFirstFactors="PASSWORD,EMAIL_OTP"), REGION),
    "first factors without PASSWORD": (dict(BASE, SignInFirstFactors="WEB_AUTHN"), REGION),
    "first factors with an empty entry": (dict(BASE, SignInFirstFactors="PASSWORD,,WEB_AUTHN"), REGION),
    # Identity providers given in part.
    "a Google client id without its secret": (dict(BASE, GoogleClientId=GOOGLE["GoogleClientId"]), REGION),
    "a Google secret without a client id": (dict(BASE, GoogleClientSecretArn=GOOGLE["GoogleClientSecretArn"]), REGION),
    "Apple without its private key": (dict(BASE, **{k: v for k, v in APPLE.items() if k != "ApplePrivateKeySecretArn"}), REGION),
    "Apple without its key id": (dict(BASE, **{k: v for k, v in APPLE.items() if k != "AppleKeyId"}), REGION),
    "Apple with a services id only": (dict(BASE, AppleServicesId=APPLE["AppleServicesId"]), REGION),
    "a Facebook app id without its secret": (dict(BASE, FacebookAppId=FACEBOOK["FacebookAppId"]), REGION),
    "an OIDC provider without an issuer": (dict(BASE, **{k: v for k, v in OIDC.items() if k != "OidcIssuerUrl"}), REGION),
    "an OIDC provider without a secret": (dict(BASE, **{k: v for k, v in OIDC.items() if k != "OidcClientSecretArn"}), REGION),
    "an OIDC client without a provider name": (dict(BASE, **{k: v for k, v in OIDC.items() if k != "OidcProviderName"}), REGION),
    "a SAML provider name without metadata": (dict(BASE, SamlProviderName="Corp"), REGION),
    "SAML metadata without a provider name": (dict(BASE, SamlMetadataUrl=SAML["SamlMetadataUrl"]), REGION),
    "OIDC and SAML providers of one name": (dict(BASE, **OIDC, **dict(SAML, SamlProviderName="Okta")), REGION),
    "Google complete, Facebook half": (dict(BASE, **GOOGLE, FacebookAppSecretArn=FACEBOOK["FacebookAppSecretArn"]), REGION),
    # Account linking without a provider that verifies addresses, or to
    # addresses verified without a code.
    "linking without any identity provider": (dict(BASE, LinkExternalToExistingAccount="true", SignUpAutoVerifyEmail="false"), REGION),
    "linking with Facebook only": (dict(BASE, **FACEBOOK, LinkExternalToExistingAccount="true", SignUpAutoVerifyEmail="false"), REGION),
    "linking with SAML only": (dict(BASE, **SAML, LinkExternalToExistingAccount="true", SignUpAutoVerifyEmail="false"), REGION),
    "linking to addresses verified without a code": (dict(BASE, **GOOGLE, LinkExternalToExistingAccount="true"), REGION),
}.items():
    try:
        check(Scenario(cfn, given, region).rule_failures(), f"the template's Rules must refuse {label}")
    except Unsupported as exc:
        errors.append(f"cannot evaluate the Rules: {exc}")

# Parameter constraints CloudFormation checks before anything else.
for label, given in {
    "a domain prefix with aws in it": dict(DomainPrefix="my-aws-login"),
    "an upper-case domain prefix": dict(DomainPrefix="Monban"),
    "a WAF rate limit under WAF's minimum of 10": dict(WafRateLimit="5"),
    "a WAF window WAF does not offer": dict(WafRateWindow="900"),
    "a WAF web ACL outside us-east-1": dict(WafWebAclArn=WEB_ACL.replace("us-east-1", "eu-west-1")),
    "an unknown sign-in flow": dict(PasswordAuthFlow="USER_SRP_AUTH"),
    "SMS codes as a first factor (the pool has no SMS)": dict(SignInFirstFactors="PASSWORD,SMS_OTP"),
    "a lower-case first factor": dict(SignInFirstFactors="password"),
    "an RP id with a scheme": dict(WebAuthnRelyingPartyId="https://example.com"),
    "an RP id with a port": dict(WebAuthnRelyingPartyId="example.com:443"),
    "an unknown user verification": dict(WebAuthnUserVerification="discouraged"),
    "an OIDC provider named like a social one": dict(OidcProviderName="google"),
    "a SAML provider named COGNITO": dict(SamlProviderName="COGNITO"),
    "a provider name with a comma": dict(OidcProviderName="Okta,Corp"),
    "a provider name with an underscore": dict(SamlProviderName="Corp_IdP"),
    "a plain-text secret instead of an ARN": dict(GoogleClientSecretArn="GOCSPX-notasecretarn"),
    "Google scopes without email": dict(GoogleScopes="openid profile"),
    "Apple scopes without email": dict(AppleScopes="name"),
    "Facebook scopes without email": dict(FacebookScopes="public_profile"),
    "OIDC scopes without openid": dict(OidcScopes="email profile"),
    "an http OIDC issuer": dict(OidcIssuerUrl="http://example.okta.com"),
    "an http SAML metadata URL": dict(SamlMetadataUrl="http://idp.example.com/metadata.xml"),
    "a linking switch other than true or false": dict(LinkExternalToExistingAccount="yes"),
}.items():
    check(parameter_problems(given, label), f"the template's parameters must refuse {label}")

# Reserved claims fail at deploy time: ClaimMappings' AllowedPattern refuses
# exactly the claims internal/triggers/pretoken reserves (any case, and every
# cognito: claim). CloudFormation patterns are Java regular expressions ("Using
# regular expressions in CloudFormation templates", CloudFormation User Guide);
# the constructs used (negative lookahead, scoped (?i:...)) mean the same in
# Python's re. The list is read from the Go source, so the two cannot drift.
with open(os.path.join(template_dir, "internal", "triggers", "pretoken", "pretoken.go"), encoding="utf-8") as f:
    pretoken_src = f.read()
m = re.search(r"var reserved = func\(\) map\[string\]bool \{.*?strings\.Fields\(`([^`]*)`\)", pretoken_src, re.DOTALL)
go_reserved = set(m.group(1).split()) if m else set()
check(go_reserved, "cannot read the reserved claims from internal/triggers/pretoken/pretoken.go")
check(
    'strings.HasPrefix(c, "cognito:")' in pretoken_src and "strings.ToLower(claim)" in pretoken_src,
    "pretoken.Reserved no longer lower-cases claims and reserves cognito:*: update ClaimMappings' AllowedPattern",
)
claim_spec = PARAMS.get("ClaimMappings", {})
claim_pattern = claim_spec.get("AllowedPattern", "")
description = claim_spec.get("ConstraintDescription", "")
for claim in sorted(go_reserved):
    check(re.search(rf"(?<![\w:]){re.escape(claim)}(?![\w:])", description) is not None, f"ClaimMappings' ConstraintDescription must name the reserved claim {claim}")
    for spelling in (claim, claim.upper(), claim.capitalize()):
        for value in (f"custom:x={spelling}", f"groups=roles,custom:x={spelling}", f"custom:x={spelling},groups=roles"):
            check(re.fullmatch(claim_pattern, value) is None, f"ClaimMappings must refuse {value!r} (reserved claim)")
    for value in (f"custom:x={claim}x", f"custom:x=x{claim}", f"custom:x={claim}_extra"):
        check(re.fullmatch(claim_pattern, value) is not None, f"ClaimMappings must accept {value!r} (not reserved)")
check("cognito:" in description, "ClaimMappings' ConstraintDescription must name the cognito: claims")
for value in ("custom:x=cognito:groups", "groups=COGNITO:roles", "a=b,groups=Cognito:x"):
    check(re.fullmatch(claim_pattern, value) is None, f"ClaimMappings must refuse {value!r} (cognito: claims are reserved)")
for value in ("", "custom:tenant=tenant", "custom:tenant=tenant,groups=roles", "locale=lang,custom:org=org_id", "groups=cognitogroups"):
    check(re.fullmatch(claim_pattern, value) is not None, f"ClaimMappings must accept {value!r}")
for value in ("custom:tenant", "a=b=c", "a=b, c=d", "a=b,,c=d", "=x", "x="):
    check(re.fullmatch(claim_pattern, value) is None, f"ClaimMappings must refuse the malformed {value!r}")

# The CloudFront Function: directory URLs to index.html, files unchanged.
function_code = ((sam["Resources"].get("SiteIndexFunction") or {}).get("Properties") or {}).get("FunctionCode", "")
cases = {
    "/": "/index.html", "/docs/": "/docs/index.html", "/docs": "/docs/index.html",
    "/blog/2024/post": "/blog/2024/post/index.html", "/v1.2/guide": "/v1.2/guide/index.html",
    "/index.html": "/index.html", "/app.js": "/app.js", "/_astro/page.1a2b3c.css": "/_astro/page.1a2b3c.css",
    "/.well-known/security.txt": "/.well-known/security.txt",
}
harness = (
    "const handler = new Function(process.argv[1] + '\\nreturn handler;')();\n"
    "const cases = JSON.parse(process.argv[2]); const got = {};\n"
    "for (const uri of Object.keys(cases)) {\n"
    "  got[uri] = handler({ version: '1.0', request: { method: 'GET', uri, querystring: {}, headers: {}, cookies: {} } }).uri;\n"
    "}\n"
    "process.stdout.write(JSON.stringify(got));\n"
)
try:
    run = subprocess.run(
        [os.environ.get("NODE_BIN", "node"), "-e", harness, function_code, json.dumps(cases)],
        capture_output=True, text=True, timeout=30,
    )
    if check(run.returncode == 0, f"SiteIndexFunction's code failed to run: {run.stderr.strip()}"):
        got = json.loads(run.stdout)
        for uri, want in cases.items():
            check(got.get(uri) == want, f"SiteIndexFunction maps {uri} to {got.get(uri)!r}, want {want!r}")
except OSError as exc:
    errors.append(f"cannot run node: {exc}")

# samconfig.toml beside the template: every environment's parameter_overrides
# must name real parameters, give every parameter without a default, pass the
# template's AllowedValues/AllowedPattern and Rules (what CloudFormation would
# check at deploy time), and describe a deployment that passes the checks above.
envs_checked = []
samconfig_path = os.path.join(template_dir, "samconfig.toml")
if os.path.exists(samconfig_path):
    with open(samconfig_path, "rb") as f:
        try:
            samconfig = tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            errors.append(f"samconfig.toml is not valid TOML: {exc}")
            samconfig = {}
    for env_name, env_config in samconfig.items():
        if not isinstance(env_config, dict):
            continue
        deploy = (env_config.get("deploy") or {}).get("parameters") or {}
        overrides = deploy.get("parameter_overrides")
        if overrides is None:
            continue
        envs_checked.append(env_name)
        items = [overrides] if isinstance(overrides, str) else overrides
        given = {}
        for item in items:
            for pair in shlex.split(item) if isinstance(overrides, str) else [item]:
                key, sep, value = pair.partition("=")
                if not check(sep == "=", f"samconfig [{env_name}]: {pair!r} is not Key=Value"):
                    continue
                given[key] = value.strip('"')
        for origin in filter(None, given.get("FrontendOrigins", "").split(",")):
            check(
                re.fullmatch(r"https?://[^/\s]+", origin) is not None,
                f"samconfig [{env_name}]: FrontendOrigins entry {origin!r} is not a bare origin (scheme://host[:port])",
            )
        check("ApiBaseUrl" not in given, f"samconfig [{env_name}]: ApiBaseUrl is gone (the distribution's URL is the API's)")
        # prod keeps the safe settings: no unproved address marked verified,
        # a pool that survives the stack, the WAF in front of sign-in.
        if env_name == "prod":
            check(given.get("DeletionProtection", "ACTIVE") == "ACTIVE", "samconfig [prod]: DeletionProtection must be ACTIVE")
            check(given.get("SignUpAutoVerifyEmail") == "false", "samconfig [prod]: SignUpAutoVerifyEmail must be false")
            check(given.get("WafEnabled") == "true", "samconfig [prod]: WafEnabled must be true")
        env_region = ((env_config.get("global") or {}).get("parameters") or {}).get("region", REGION)
        check_deployment(f"samconfig [{env_name}]", given, env_region)

if errors:
    for e in errors:
        print(f"  - {e}", file=sys.stderr)
    sys.exit(1)

envs = f" and samconfig.toml environments {', '.join(envs_checked)}" if envs_checked else ""
print(
    f"{len(resources)} CloudFormation resources after the SAM transform; "
    f"parameter sets {', '.join(deployments)}{envs} resolved and checked; site index function OK"
)
PY
)" || fail "SAM transform or the template checks failed (above)"

# --- 5. scripts/publish-site.sh against a stub aws ---------------------------
# The stub answers describe-stacks with $STUB_OUTPUTS and records every call;
# nothing reaches AWS.
publish="$here/publish-site.sh"
[[ -f "$publish" ]] || fail "scripts/publish-site.sh not found"
stub="$scratch/stub-bin"
mkdir -p "$stub" "$scratch/site/_astro" "$scratch/empty"
cat >"$stub/aws" <<'STUB'
#!/usr/bin/env bash
printf '%s\n' "$*" >>"$STUB_LOG"
case " $* " in
*" describe-stacks "*) [[ -n "${STUB_OUTPUTS:-}" ]] || exit 255; printf '%b\n' "$STUB_OUTPUTS" ;;
esac
STUB
chmod +x "$stub/aws"
echo '<h1>hi</h1>' >"$scratch/site/index.html"
echo 'x' >"$scratch/site/_astro/app.1a2b.js"

publish_case() { # expected-status expected-output-pattern outputs args...
  local want_status="$1" pattern="$2" outputs="$3" out status=0
  shift 3
  : >"$scratch/stub.log"
  out="$(PATH="$stub:$PATH" STUB_LOG="$scratch/stub.log" STUB_OUTPUTS="$outputs" bash "$publish" "$@" 2>&1)" || status=$?
  if [[ "$want_status" == 0 && "$status" != 0 ]] || [[ "$want_status" != 0 && "$status" == 0 ]]; then
    fail "publish-site.sh $* exited $status, want $([[ $want_status == 0 ]] && echo success || echo failure): $out"
  fi
  grep -qE -- "$pattern" <<<"$out" || fail "publish-site.sh $*: output lacks /$pattern/: $out"
}
ok_outputs='site-bucket-123\tE2EXAMPLE'
publish_case 1 'no SITE_DIR given' "$ok_outputs"
publish_case 1 'not a directory' "$ok_outputs" "$scratch/nowhere"
publish_case 1 'is empty' "$ok_outputs" "$scratch/empty"
publish_case 1 'unknown option --bogus' "$ok_outputs" --bogus "$scratch/site"
publish_case 1 'no SiteBucketName output: it was deployed with ExistingSiteUrl' 'None\tE2EXAMPLE' "$scratch/site"
publish_case 1 "cannot read the outputs of stack 'monban-prod' in eu-west-1" '' --stack monban-prod --region eu-west-1 "$scratch/site"
publish_case 0 'dry run' "$ok_outputs" --dry-run --stack monban-prod "$scratch/site"
grep -q -- '--stack-name monban-prod' "$scratch/stub.log" || fail "publish-site.sh did not read stack monban-prod's outputs"
[[ "$(wc -l <"$scratch/stub.log")" == 1 ]] || fail "publish-site.sh --dry-run ran more than describe-stacks: $(cat "$scratch/stub.log")"
publish_case 0 'published to s3://site-bucket-123' "$ok_outputs" --region eu-west-1 "$scratch/site"
log="$(cat "$scratch/stub.log")"
[[ "$(grep -c -- "s3 sync $scratch/site s3://site-bucket-123 --delete" <<<"$log")" == 3 ]] ||
  fail "publish-site.sh must sync SITE_DIR to the bucket with --delete (3 passes): $log"
grep -q -- "--include \*.html --cache-control no-cache" <<<"$log" || fail "publish-site.sh must upload HTML with Cache-Control: no-cache: $log"
grep -q -- "cloudfront create-invalidation --distribution-id E2EXAMPLE --paths /\*" <<<"$log" ||
  fail "publish-site.sh must invalidate /* on the stack's distribution: $log"
[[ "$(grep -c -- '--region eu-west-1' <<<"$log")" == 5 ]] || fail "publish-site.sh must pass --region to every aws call: $log"

echo "validate-template: OK: cfn-lint clean (${regions[*]}); SAM transform OK, ${summary}; publish-site.sh checks OK, checks passed"

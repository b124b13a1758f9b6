#!/usr/bin/env bash
# Validates template.yaml offline, with no AWS account and no network:
#   1. cfn-lint, every rule including informational ones, several regions:
#      zero findings allowed (run outside the tree, so no config file can
#      quietly switch rules off);
#   2. the SAM transform (aws-sam-translator), as `sam deploy` runs it after
#      `sam package` (local CodeUri replaced by an s3:// URI), then checks of
#      the generated CloudFormation (expected resources, the function's
#      runtime, environment and IAM policy, the API's route, stage and CORS,
#      the Cognito triggers' wiring, the protected APIs' authorizers, whose
#      cache key must be exactly the credentials the Lambda authorizer
#      accepts, no circular dependency), of the build contract (each
#      makefile-built function has its build-<LogicalId> target and its folder
#      in the Makefile's FUNCTIONS) and of samconfig.toml (every environment's
#      parameter_overrides satisfy the template's parameters).
# Requires cfn-lint and the samtranslator Python package (Python 3.11+); a
# missing tool is a failure, never a skip. Exits non-zero with the reasons
# on failure; prints one summary line on success.
#
# Usage: scripts/validate-template.sh [path/to/template.yaml]
# Env:   PYTHON (default python3), CFN_LINT (default cfn-lint),
#        CFN_LINT_REGIONS (default "us-east-1 eu-west-1 ap-northeast-1").
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
template="${1:-$root/template.yaml}"
python="${PYTHON:-python3}"
cfn_lint="${CFN_LINT:-cfn-lint}"
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

# Run Python from an empty directory so nothing in the working tree can shadow
# an installed module.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

(cd "$scratch" && "$python" -c 'import samtranslator' >/dev/null 2>&1) ||
  fail "the samtranslator Python package is not importable by $python (install it with: pip install aws-sam-translator)"

# --- 1. cfn-lint -------------------------------------------------------------
lint_out="$scratch/cfn-lint.out"
if ! (cd "$scratch" && "$cfn_lint" --include-checks I --regions "${regions[@]}" -- "$template") >"$lint_out" 2>&1; then
  cat "$lint_out" >&2
  fail "cfn-lint reported findings (above)"
fi
if [[ -s "$lint_out" ]]; then
  cat "$lint_out" >&2
  fail "cfn-lint printed output (above); zero findings are required"
fi

# --- 2. SAM transform and checks of its output ------------------------------
# samtranslator needs a region name from boto3; set one so no AWS
# configuration (or instance metadata lookup) is consulted.
summary="$(
  cd "$scratch" &&
    AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 \
      AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
      AWS_EC2_METADATA_DISABLED=true \
      "$python" - "$template" <<'PY'
import copy
import os
import re
import shlex
import sys

try:
    import tomllib  # Python 3.11+
except ImportError:
    sys.exit("validate-template needs Python 3.11+ (tomllib) to read samconfig.toml")

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

REGION = "us-east-1"
PARTITION = "aws"
ARTIFACT_BUCKET = "monban-validate-artifacts"

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

# What `sam package` does: local code paths become S3 locations.
packaged = copy.deepcopy(sam)
for name, res in packaged.get("Resources", {}).items():
    props = res.get("Properties") or {}
    if res.get("Type") == "AWS::Serverless::Function" and isinstance(props.get("CodeUri"), str):
        props["CodeUri"] = f"s3://{ARTIFACT_BUCKET}/{name}.zip"
    if res.get("Type") == "AWS::Serverless::LayerVersion" and isinstance(props.get("ContentUri"), str):
        props["ContentUri"] = f"s3://{ARTIFACT_BUCKET}/{name}.zip"

try:
    cfn = transform(packaged, {"AWS::Region": REGION, "AWS::Partition": PARTITION}, StubPolicyLoader())
except Exception as exc:  # InvalidDocumentException and friends
    causes = getattr(exc, "causes", None) or []
    detail = "; ".join(str(getattr(c, "message", c)) for c in causes) or str(exc)
    print(f"SAM transform failed: {detail}", file=sys.stderr)
    sys.exit(1)

resources = cfn.get("Resources", {})
check("Transform" not in cfn, "transformed template still declares a Transform")
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


pool = resource("UserPool", "AWS::Cognito::UserPool")
client = resource("UserPoolClient", "AWS::Cognito::UserPoolClient")
resource("UserPoolDomain", "AWS::Cognito::UserPoolDomain")
resource("ManagedLoginBranding", "AWS::Cognito::ManagedLoginBranding")
secret = resource("SessionSecret", "AWS::SecretsManager::Secret")
resource("HttpApi", "AWS::ApiGatewayV2::Api")
route = resource("ApiRoute", "AWS::ApiGatewayV2::Route")
integration = resource("ApiIntegration", "AWS::ApiGatewayV2::Integration")
resource("ApiFunctionInvokePermission", "AWS::Lambda::Permission")
fn = resource("ApiFunction", "AWS::Lambda::Function")
role = resource("ApiFunctionRole", "AWS::IAM::Role")
stages = [n for n, r in resources.items() if r.get("Type") == "AWS::ApiGatewayV2::Stage"]
check(len(stages) == 1, f"want exactly one HTTP API stage, got {stages}")
stage = (resources.get(stages[0], {}).get("Properties") or {}) if stages else {}

# User pool and client essentials.
check(pool.get("UsernameAttributes") == ["email"], "user pool must use e-mail as the username")
check(pool.get("MfaConfiguration") == "OPTIONAL", "MFA must be OPTIONAL")
check(pool.get("EnabledMfas") == ["SOFTWARE_TOKEN_MFA"], "only TOTP MFA may be enabled")
check(client.get("GenerateSecret") is True, "app client must have a secret")
check(client.get("AllowedOAuthFlows") == ["code"], "app client must allow the code flow only")
check(
    sorted(client.get("ExplicitAuthFlows", [])) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"],
    "app client auth flows must be USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH",
)
check(client.get("PreventUserExistenceErrors") == "ENABLED", "PreventUserExistenceErrors must be ENABLED")
check(client.get("EnableTokenRevocation") is True, "token revocation must be enabled")
gen = secret.get("GenerateSecretString") or {}
check(gen.get("ExcludePunctuation") is True, "session secret must exclude punctuation (commas separate keys)")
check(int(gen.get("PasswordLength", 0)) >= 32, "session secret must be at least 32 characters")

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
    "MONBAN_USER_POOL_ID", "MONBAN_CLIENT_ID", "MONBAN_COGNITO_DOMAIN", "MONBAN_CALLBACK_URL",
    "MONBAN_ALLOWED_ORIGINS", "MONBAN_REDIRECT_ALLOWLIST", "MONBAN_LOGOUT_URI", "MONBAN_ERROR_URL",
    "MONBAN_SESSION_SECRET_ARN", "MONBAN_COOKIE_DOMAIN", "MONBAN_TOKEN_MODE", "MONBAN_TOKEN_ENDPOINT",
    "MONBAN_REFRESH_TOKEN_VALIDITY", "MONBAN_LOG_LEVEL",
}
missing = sorted(want_env - set(env))
check(not missing, f"ApiFunction environment lacks {missing}")
check("MONBAN_CLIENT_SECRET" not in env, "the client secret must never be in the environment")
check(env.get("MONBAN_CLIENT_ID") == {"Ref": "UserPoolClient"}, "MONBAN_CLIENT_ID must reference the app client")
check(env.get("MONBAN_SESSION_SECRET_ARN") == {"Ref": "SessionSecret"}, "MONBAN_SESSION_SECRET_ARN must reference the secret")
# The refresh cookie lifetime must follow the app client's refresh-token validity.
units = (client.get("TokenValidityUnits") or {}).get("RefreshToken", "days")
hours = {"days": 24, "hours": 1}.get(units)
if check(hours is not None, f"unexpected refresh token validity unit {units!r}"):
    check(
        env.get("MONBAN_REFRESH_TOKEN_VALIDITY") == f"{int(client.get('RefreshTokenValidity', 30)) * hours}h",
        "MONBAN_REFRESH_TOKEN_VALIDITY must equal the app client's RefreshTokenValidity",
    )
# The callback URL the API sends to Cognito must be the one registered on the client.
check(
    client.get("CallbackURLs") == [env.get("MONBAN_CALLBACK_URL")],
    "MONBAN_CALLBACK_URL must be the app client's only callback URL",
)

# IAM: exactly the actions the function needs, scoped to its own resources.
actions = {}
for policy in role.get("Policies", []):
    for st in policy.get("PolicyDocument", {}).get("Statement", []):
        if st.get("Effect") != "Allow":
            continue
        acts = st.get("Action")
        for a in [acts] if isinstance(acts, str) else acts or []:
            actions[a] = st.get("Resource")
check(
    set(actions) == {"secretsmanager:GetSecretValue", "cognito-idp:DescribeUserPoolClient"},
    f"ApiFunction inline policy actions are {sorted(actions)}, want GetSecretValue and DescribeUserPoolClient only",
)
check(actions.get("secretsmanager:GetSecretValue") == {"Ref": "SessionSecret"}, "GetSecretValue must be scoped to SessionSecret")
check(
    actions.get("cognito-idp:DescribeUserPoolClient") == {"Fn::GetAtt": ["UserPool", "Arn"]},
    "DescribeUserPoolClient must be scoped to the user pool",
)

# API: route, integration, stage.
api = resources.get("HttpApi", {}).get("Properties") or {}
check(api.get("ProtocolType") == "HTTP", "HttpApi must be an HTTP API")
check(route.get("RouteKey") == "ANY /auth/{proxy+}", "the API must route ANY /auth/{proxy+}")
check(integration.get("PayloadFormatVersion") == "2.0", "the integration must use payload format 2.0")
check(stage.get("StageName") == "$default", "the HTTP API stage must be $default")
check(stage.get("AutoDeploy") is True, "the $default stage must auto-deploy")
throttle = stage.get("DefaultRouteSettings") or {}
check(
    throttle.get("ThrottlingBurstLimit") and throttle.get("ThrottlingRateLimit"),
    "the HTTP API stage must set default throttling",
)
cors = api.get("CorsConfiguration") or {}
check(cors.get("AllowCredentials") is True, "CORS must allow credentials")
check(cors.get("AllowOrigins") == {"Ref": "FrontendOrigins"}, "CORS origins must be the FrontendOrigins parameter")
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
        "MONBAN_SIGNUP_ALLOWED_EMAIL_DOMAINS", "MONBAN_SIGNUP_EXTERNAL_AUTO_CONFIRM", "MONBAN_SIGNUP_EXTERNAL_ALLOWLIST",
    },
    "PreTokenGenerationFunction": {"MONBAN_CLAIM_MAPPINGS"},
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


# Protected APIs: the monban Lambda authorizer and API Gateway's JWT
# authorizer in front of the sample API.
def statement_actions(role_props):
    out = {}
    for policy in role_props.get("Policies", []) or []:
        for st in policy.get("PolicyDocument", {}).get("Statement", []):
            if st.get("Effect") != "Allow":
                continue
            acts = st.get("Action")
            for a in [acts] if isinstance(acts, str) else acts or []:
                out[a] = st.get("Resource")
    return out


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
check("MONBAN_SESSION_SECRET" not in aenv, "the session secret itself must never be in the environment")
authz_actions = statement_actions(resource("AuthorizerFunctionRole", "AWS::IAM::Role"))
check(
    authz_actions == {"secretsmanager:GetSecretValue": {"Ref": "SessionSecret"}},
    f"AuthorizerFunction may only read SessionSecret; its inline policy allows {sorted(authz_actions)}",
)
check(not resource("SampleApiFunctionRole", "AWS::IAM::Role").get("Policies"), "SampleApiFunction needs no permissions beyond writing its logs")

session_authz = resource("SessionAuthorizer", "AWS::ApiGatewayV2::Authorizer")
check(session_authz.get("AuthorizerType") == "REQUEST", "SessionAuthorizer must be a REQUEST (Lambda) authorizer")
check(session_authz.get("AuthorizerPayloadFormatVersion") == "2.0", "SessionAuthorizer must use payload format 2.0")
check(session_authz.get("EnableSimpleResponses") is True, "SessionAuthorizer must use simple responses (the function answers 2.0 events with them)")
check("AuthorizerFunction.Arn" in repr(session_authz.get("AuthorizerUri")), "SessionAuthorizer must invoke AuthorizerFunction")
ttl = int(session_authz.get("AuthorizerResultTtlInSeconds", 0))
sources = session_authz.get("IdentitySource") or []
source_kinds = {"$request.header.authorization": "bearer", "$request.header.cookie": "cookie"}
kinds = {source_kinds.get(str(src).lower(), f"other:{src}") for src in sources}
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
with open(os.path.join(os.path.dirname(sys.argv[1]), "Makefile"), encoding="utf-8") as f:
    m = re.search(r"^FUNCTIONS\s*:?=\s*(.*)$", f.read(), re.MULTILINE)
listed = set(m.group(1).split()) if m else set()
for name, res in sam.get("Resources", {}).items():
    code_uri = (res.get("Properties") or {}).get("CodeUri")
    if res.get("Type") == "AWS::Serverless::Function" and isinstance(code_uri, str):
        folder = os.path.basename(os.path.normpath(code_uri))
        check(folder in listed, f"{name}'s folder {folder} is missing from the Makefile's FUNCTIONS")


# No circular dependencies (CloudFormation would refuse the stack): references
# by Ref, GetAtt, Sub and DependsOn between resources.
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

# `sam build` with BuildMethod makefile runs `make build-<LogicalId>` using
# the Makefile in ContextPath (else CodeUri): the target must exist.
template_dir = os.path.dirname(sys.argv[1])
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

# samconfig.toml beside the template: every environment's parameter_overrides
# must name real parameters, give every parameter without a default, and pass
# the template's AllowedValues/AllowedPattern (what CloudFormation would check
# at deploy time).
envs_checked = []
samconfig_path = os.path.join(os.path.dirname(sys.argv[1]), "samconfig.toml")
if os.path.exists(samconfig_path):
    with open(samconfig_path, "rb") as f:
        try:
            samconfig = tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            errors.append(f"samconfig.toml is not valid TOML: {exc}")
            samconfig = {}
    params = sam.get("Parameters", {})
    required = {k for k, v in params.items() if "Default" not in v}
    for env_name, env in samconfig.items():
        if not isinstance(env, dict):
            continue
        deploy = (env.get("deploy") or {}).get("parameters") or {}
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
        for key, value in given.items():
            spec = params.get(key)
            if not check(spec is not None, f"samconfig [{env_name}]: unknown parameter {key}"):
                continue
            if "AllowedValues" in spec:
                check(
                    value in [str(v) for v in spec["AllowedValues"]],
                    f"samconfig [{env_name}]: {key}={value!r} is not one of {spec['AllowedValues']}",
                )
            if "AllowedPattern" in spec and spec.get("Type") == "String":
                check(
                    re.fullmatch(spec["AllowedPattern"], value) is not None,
                    f"samconfig [{env_name}]: {key}={value!r} does not match {spec['AllowedPattern']}",
                )
        missing = sorted(required - set(given))
        check(not missing, f"samconfig [{env_name}]: no value for required parameter(s) {missing}")
        for origin in filter(None, given.get("FrontendOrigins", "").split(",")):
            check(
                re.fullmatch(r"https?://[^/\s]+", origin) is not None,
                f"samconfig [{env_name}]: FrontendOrigins entry {origin!r} is not a bare origin (scheme://host[:port])",
            )
        if env_name == "prod":
            check(given.get("DeletionProtection", "ACTIVE") == "ACTIVE", "samconfig [prod]: DeletionProtection must be ACTIVE")

if errors:
    for e in errors:
        print(f"  - {e}", file=sys.stderr)
    sys.exit(1)

envs = f"; samconfig.toml environments {', '.join(envs_checked)} OK" if envs_checked else ""
print(f"{len(resources)} CloudFormation resources after the SAM transform{envs}")
PY
)" || fail "SAM transform or the template checks failed (above)"

echo "validate-template: OK: cfn-lint clean (${regions[*]}); SAM transform OK, ${summary}, checks passed"

#!/usr/bin/env bash
# Publishes a static site's build folder to the stack's private site bucket and
# refreshes CloudFront:
#   1. reads the stack outputs SiteBucketName and DistributionId
#      (aws cloudformation describe-stacks);
#   2. aws s3 sync, in three passes, each with --delete for its own files:
#      fingerprinted assets (_astro/, _next/static/, immutable, one year),
#      other files (5 minutes), then HTML last (no-cache: browsers revalidate,
#      so a new deploy shows at once);
#   3. aws cloudfront create-invalidation --paths '/*' (the edge caches,
#      /auth/client.js included).
# A stack deployed with ExistingSiteUrl has no bucket: its site is published
# wherever it is hosted.
#
# Usage: scripts/publish-site.sh [--stack NAME] [--region REGION] [--dry-run] SITE_DIR
#   --stack     CloudFormation stack (default monban-dev, as samconfig.toml's dev)
#   --region    its region (default: the AWS CLI's configuration)
#   --dry-run   print the upload and invalidation commands instead of running them
#               (the stack outputs are still read)
# Needs the AWS CLI (v1 or v2) with credentials for the stack's account.
# Make: make publish SITE_DIR=dist [STACK=monban-dev] [REGION=eu-west-1]
set -euo pipefail

fail() {
  echo "publish-site: $*" >&2
  exit 1
}

stack=monban-dev
region=""
dry_run=false
site_dir=""
while (($#)); do
  case "$1" in
  --stack)
    [[ $# -ge 2 && -n "$2" ]] || fail "--stack needs a stack name"
    stack="$2"
    shift 2
    ;;
  --region)
    [[ $# -ge 2 ]] || fail "--region needs a region"
    region="$2"
    shift 2
    ;;
  --dry-run)
    dry_run=true
    shift
    ;;
  -h | --help)
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
    exit 0
    ;;
  -*) fail "unknown option $1 (see --help)" ;;
  *)
    [[ -z "$site_dir" ]] || fail "one SITE_DIR only, got '$site_dir' and '$1'"
    site_dir="$1"
    shift
    ;;
  esac
done

[[ -n "$site_dir" ]] || fail "no SITE_DIR given: the site's build folder, e.g. make publish SITE_DIR=dist"
[[ -d "$site_dir" ]] || fail "SITE_DIR '$site_dir' is not a directory (build the site first)"
[[ -n "$(find "$site_dir" -type f -print -quit)" ]] || fail "SITE_DIR '$site_dir' is empty (build the site first)"
[[ -f "$site_dir/index.html" ]] ||
  echo "publish-site: warning: $site_dir/index.html is missing; the site's root URL will answer 404" >&2

command -v aws >/dev/null 2>&1 || fail "the AWS CLI (aws) is not on PATH"
aws_args=()
[[ -z "$region" ]] || aws_args+=(--region "$region")

# One call, both outputs, tab-separated; a missing output prints None.
query="Stacks[0].[Outputs[?OutputKey=='SiteBucketName'].OutputValue | [0], Outputs[?OutputKey=='DistributionId'].OutputValue | [0]]"
if ! outputs="$(aws "${aws_args[@]}" cloudformation describe-stacks --stack-name "$stack" --query "$query" --output text)"; then
  fail "cannot read the outputs of stack '$stack'${region:+ in $region} (deployed? credentials and region set?)"
fi
IFS=$'\t' read -r bucket distribution <<<"$outputs" || true
if [[ -z "$bucket" || "$bucket" == None ]]; then
  fail "stack '$stack' has no SiteBucketName output: it was deployed with ExistingSiteUrl, so CloudFront serves only /auth and /api and the site is published wherever it is hosted"
fi
[[ -n "$distribution" && "$distribution" != None ]] || fail "stack '$stack' has no DistributionId output"

run() {
  if $dry_run; then
    printf '+'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

dest="s3://$bucket"
# Fingerprinted build output (a changed file gets a new name): cache for a year.
immutable=(--exclude '*' --include '_astro/*' --include '_next/static/*')
run aws "${aws_args[@]}" s3 sync "$site_dir" "$dest" --delete --only-show-errors \
  "${immutable[@]}" --cache-control 'public, max-age=31536000, immutable'
# Everything else but HTML: images, feeds, unhashed CSS and JS.
run aws "${aws_args[@]}" s3 sync "$site_dir" "$dest" --delete --only-show-errors \
  --exclude '*.html' --exclude '_astro/*' --exclude '_next/static/*' --cache-control 'public, max-age=300'
# HTML last, so new pages only point at files already uploaded.
run aws "${aws_args[@]}" s3 sync "$site_dir" "$dest" --delete --only-show-errors \
  --exclude '*' --include '*.html' --cache-control 'no-cache' --content-type 'text/html; charset=utf-8'
run aws "${aws_args[@]}" cloudfront create-invalidation --distribution-id "$distribution" --paths '/*' \
  --query 'Invalidation.Id' --output text

if $dry_run; then
  echo "publish-site: dry run: nothing uploaded to $dest (distribution $distribution)"
else
  echo "publish-site: $site_dir published to $dest; CloudFront distribution $distribution invalidated (takes a minute or two)"
fi

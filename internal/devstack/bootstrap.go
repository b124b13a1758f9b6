package devstack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// BootstrapOptions describes the pool, app client and seed users Bootstrap
// makes sure exist.
type BootstrapOptions struct {
	PoolName, ClientName string
	// CallbackURLs are the registered OAuth redirect URIs (at least one).
	CallbackURLs []string
	// LogoutURLs are the registered /logout?logout_uri= targets.
	LogoutURLs []string
	// AccessTokenValidity is the access and ID token lifetime, whole minutes
	// from 5 minutes to 1 day; 0 means 1 hour.
	AccessTokenValidity time.Duration
	// RefreshTokenValidity is the refresh token lifetime, whole minutes from
	// 1 hour to 3650 days; 0 means 30 days.
	RefreshTokenValidity time.Duration
	// Users are created confirmed, with a permanent password that meets PasswordPolicy.
	Users []User
}

// User is a seed user. Email is the sign-in name; Attributes may add to or
// override the defaults email and email_verified=true.
type User struct {
	Email, Password string
	Groups          []string
	Attributes      map[string]string
}

// Pool identifies what Bootstrap set up.
type Pool struct {
	ID, ClientID, ClientSecret string
	// Issuer is the emulator URL + "/" + pool ID, the ID token's iss.
	Issuer string
	// JWKSURL is Issuer + "/.well-known/jwks.json".
	JWKSURL string
}

// Bootstrap makes sure the user pool, its app client (with a secret) and the
// seed users exist, creating only what is missing, and returns their IDs. It
// finds the pool and client by name, so calling it again is a no-op that
// returns the same IDs and secret; when the client's URLs or token lifetimes
// differ from o it updates the client in place, keeping its ID and secret.
// Existing users are left alone except that a user not yet CONFIRMED (a run
// interrupted between create and set-password) gets its password set, and
// missing group memberships are added.
func Bootstrap(ctx context.Context, c *cip.Client, emulatorURL string, o BootstrapOptions) (Pool, error) {
	if o.PoolName == "" || o.ClientName == "" {
		return Pool{}, errors.New("devstack: Bootstrap needs PoolName and ClientName")
	}
	if len(o.CallbackURLs) == 0 {
		return Pool{}, errors.New("devstack: Bootstrap needs at least one callback URL")
	}
	access, err := minutes("AccessTokenValidity", o.AccessTokenValidity, time.Hour, 5*time.Minute, 24*time.Hour)
	if err != nil {
		return Pool{}, err
	}
	refresh, err := minutes("RefreshTokenValidity", o.RefreshTokenValidity, 30*24*time.Hour, time.Hour, 3650*24*time.Hour)
	if err != nil {
		return Pool{}, err
	}

	for _, u := range o.Users {
		// As Cognito's AdminSetUserPassword would, which the emulator does not.
		if msg := policyViolation(PasswordPolicy, u.Password); u.Password != "" && msg != "" {
			return Pool{}, fmt.Errorf("devstack: seed user %s: InvalidPasswordException: %s", u.Email, msg)
		}
	}

	poolID, err := ensurePool(ctx, c, o.PoolName)
	if err != nil {
		return Pool{}, err
	}
	want := clientSettings{
		callbackURLs: o.CallbackURLs,
		logoutURLs:   o.LogoutURLs,
		access:       access,
		refresh:      refresh,
	}
	clientID, secret, err := ensureClient(ctx, c, poolID, o.ClientName, want)
	if err != nil {
		return Pool{}, err
	}
	var groups []string
	for _, u := range o.Users {
		groups = append(groups, u.Groups...)
	}
	slices.Sort(groups)
	if err := ensureGroups(ctx, c, poolID, slices.Compact(groups)); err != nil {
		return Pool{}, err
	}
	for _, u := range o.Users {
		if err := ensureUser(ctx, c, poolID, u); err != nil {
			return Pool{}, err
		}
	}
	issuer := strings.TrimRight(emulatorURL, "/") + "/" + poolID
	return Pool{
		ID:           poolID,
		ClientID:     clientID,
		ClientSecret: secret,
		Issuer:       issuer,
		JWKSURL:      issuer + "/.well-known/jwks.json",
	}, nil
}

// minutes converts a token lifetime to Cognito's whole minutes within Cognito's
// limits, so a setting that would be rejected in AWS is rejected here too.
func minutes(name string, d, def, lo, hi time.Duration) (int32, error) {
	if d == 0 {
		d = def
	}
	if d%time.Minute != 0 || d < lo || d > hi {
		return 0, fmt.Errorf("devstack: %s %s must be whole minutes between %s and %s", name, d, lo, hi)
	}
	return int32(d / time.Minute), nil
}

func ensurePool(ctx context.Context, c *cip.Client, name string) (string, error) {
	var ids []string
	// MaxResults is required by Cognito (cognito-local ignores it and never pages).
	p := cip.NewListUserPoolsPaginator(c, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("devstack: ListUserPools: %w", err)
		}
		for _, up := range page.UserPools {
			if aws.ToString(up.Name) == name {
				ids = append(ids, aws.ToString(up.Id))
			}
		}
	}
	switch len(ids) {
	case 1:
		return ids[0], ensureSignInPolicy(ctx, c, ids[0])
	case 0:
	default:
		// Cognito allows duplicate names; guessing could seed the wrong pool.
		return "", fmt.Errorf("devstack: %d user pools are named %q (%s); delete the extras", len(ids), name, strings.Join(ids, ", "))
	}
	// template.yaml's policy, which the API front enforces (the emulator only stores it).
	policy := PasswordPolicy
	out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName:               aws.String(name),
		UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		UsernameConfiguration:  &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		// As in template.yaml: users may add an authenticator app.
		MfaConfiguration: types.UserPoolMfaTypeOptional,
		// As in template.yaml: a changed e-mail address waits for its code.
		UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: verifiedBeforeUpdate},
		Policies: &types.UserPoolPolicyType{
			PasswordPolicy: &policy,
			SignInPolicy:   &types.SignInPolicyType{AllowedFirstAuthFactors: firstFactors},
		},
		AccountRecoverySetting: &types.AccountRecoverySettingType{
			RecoveryMechanisms: []types.RecoveryOptionType{{Name: types.RecoveryOptionNameTypeVerifiedEmail, Priority: aws.Int32(1)}},
		},
		Schema: []types.SchemaAttributeType{{
			Name:              aws.String("email"),
			AttributeDataType: types.AttributeDataTypeString,
			Required:          aws.Bool(true),
			Mutable:           aws.Bool(true),
		}},
	})
	if err != nil {
		return "", fmt.Errorf("devstack: CreateUserPool %q: %w", name, err)
	}
	return aws.ToString(out.UserPool.Id), nil
}

// firstFactors are template.yaml's first factors with e-mail set up (SignInFirstFactors):
// the API front stands in for choice-based sign-in, which the emulator lacks, and reads them
// from the pool.
var firstFactors = []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp, types.AuthFactorTypeWebAuthn}

// ensureSignInPolicy gives a pool made by an earlier release the first factors. The emulator's
// UpdateUserPool replaces every field it takes, so the pool's own values are sent back with
// the new policy.
func ensureSignInPolicy(ctx context.Context, c *cip.Client, id string) error {
	out, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &id})
	if err != nil {
		return fmt.Errorf("devstack: DescribeUserPool %s: %w", id, err)
	}
	p := out.UserPool
	policies := types.UserPoolPolicyType{}
	if p.Policies != nil {
		policies = *p.Policies
	}
	if policies.SignInPolicy != nil && slices.Equal(policies.SignInPolicy.AllowedFirstAuthFactors, firstFactors) {
		return nil
	}
	policies.SignInPolicy = &types.SignInPolicyType{AllowedFirstAuthFactors: firstFactors}
	_, err = c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{
		UserPoolId:                  &id,
		Policies:                    &policies,
		AccountRecoverySetting:      p.AccountRecoverySetting,
		AdminCreateUserConfig:       p.AdminCreateUserConfig,
		AutoVerifiedAttributes:      p.AutoVerifiedAttributes,
		DeviceConfiguration:         p.DeviceConfiguration,
		EmailConfiguration:          p.EmailConfiguration,
		EmailVerificationMessage:    p.EmailVerificationMessage,
		EmailVerificationSubject:    p.EmailVerificationSubject,
		LambdaConfig:                p.LambdaConfig,
		MfaConfiguration:            p.MfaConfiguration,
		SmsAuthenticationMessage:    p.SmsAuthenticationMessage,
		SmsConfiguration:            p.SmsConfiguration,
		SmsVerificationMessage:      p.SmsVerificationMessage,
		UserPoolAddOns:              p.UserPoolAddOns,
		UserPoolTags:                p.UserPoolTags,
		VerificationMessageTemplate: p.VerificationMessageTemplate,
	})
	if err != nil {
		return fmt.Errorf("devstack: UpdateUserPool %s: %w", id, err)
	}
	return nil
}

// verifiedBeforeUpdate is template.yaml's UserAttributeUpdateSettings: a changed address
// takes effect only once the code sent to it is verified (VerifyUserAttribute); until then
// the pool keeps the old one.
var verifiedBeforeUpdate = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}

// upgradePoolFile gives the pool named poolName in the emulator data folder dataDir
// template.yaml's UserAttributeUpdateSettings when an earlier release made it without them.
// The emulator's UpdateUserPool does not take that setting and its DescribeUserPool does not
// return it (cognito-local 5.3.0, lib/targets/updateUserPool.js, responses.js), so it is
// written into the pool's data file (.cognito/db/<pool ID>.json, under "Options") before the
// emulator starts: the emulator reads its pools once, at start, and from then on rewrites
// the file from memory. A folder without such a pool is left alone.
func upgradePoolFile(dataDir, poolName string) error {
	if dataDir == "" {
		return nil
	}
	files, err := filepath.Glob(filepath.Join(dataDir, ".cognito", "db", "*.json"))
	if err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	settings, _ := json.Marshal(map[string]any{"AttributesRequireVerificationBeforeUpdate": verifiedBeforeUpdate})
	for _, path := range files {
		if filepath.Base(path) == "clients.json" {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("devstack: %w", err)
		}
		var db, options map[string]json.RawMessage
		var name string
		if err := json.Unmarshal(b, &db); err != nil {
			return fmt.Errorf("devstack: the emulator's data file %s: %w", path, err)
		}
		if json.Unmarshal(db["Options"], &options) != nil || json.Unmarshal(options["Name"], &name) != nil || name != poolName {
			continue
		}
		if s := options["UserAttributeUpdateSettings"]; len(s) > 0 && string(s) != "null" {
			continue
		}
		options["UserAttributeUpdateSettings"] = settings
		if db["Options"], err = json.Marshal(options); err != nil {
			return fmt.Errorf("devstack: %w", err)
		}
		if err := writeJSONFile(path, db); err != nil {
			return fmt.Errorf("devstack: updating the emulator's data file %s: %w", path, err)
		}
	}
	return nil
}

// writeJSONFile replaces path with v as JSON, keeping the file's permissions: written
// beside it, then renamed over it, so no reader sees it half written.
func writeJSONFile(path string, v any) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), info.Mode().Perm()); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// clientSettings are the app client fields Bootstrap manages.
type clientSettings struct {
	callbackURLs, logoutURLs []string
	access, refresh          int32 // minutes
}

var (
	oauthFlows    = []types.OAuthFlowType{types.OAuthFlowTypeCode}
	oauthScopes   = []string{"openid", "email", "profile"}
	explicitFlows = []types.ExplicitAuthFlowsType{
		types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
		types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
		types.ExplicitAuthFlowsTypeAllowUserAuth, // choice-based sign-in (the API front's)
	}
	// readAttributes and writeAttributes are template.yaml's app client's, as deployed
	// without an identity provider (which adds email_verified to the writable ones). The
	// emulator only stores them; the API front refuses writes outside writeAttributes as
	// Cognito does (cognitoapi.go).
	readAttributes = []string{"email", "email_verified", "name", "given_name", "family_name",
		"preferred_username", "locale", "zoneinfo", "picture", "updated_at"}
	writeAttributes = []string{"email", "name", "given_name", "family_name",
		"preferred_username", "locale", "zoneinfo", "picture"}
	minuteUnits = &types.TokenValidityUnitsType{
		AccessToken:  types.TimeUnitsTypeMinutes,
		IdToken:      types.TimeUnitsTypeMinutes,
		RefreshToken: types.TimeUnitsTypeMinutes,
	}
)

// ensureClient finds the pool's app client by name, creating it when missing and updating
// it when its managed settings differ from want, and returns its ID and secret.
func ensureClient(ctx context.Context, c *cip.Client, poolID, name string, want clientSettings) (id, secret string, err error) {
	ids, err := clientIDs(ctx, c, poolID, name)
	if err != nil {
		return "", "", err
	}
	if len(ids) > 1 {
		return "", "", fmt.Errorf("devstack: %d app clients are named %q in pool %s; delete the extras", len(ids), name, poolID)
	}
	if len(ids) == 0 {
		return createClient(ctx, c, poolID, name, want)
	}
	return syncClient(ctx, c, poolID, name, ids[0], want)
}

// clientIDs lists the IDs of the pool's app clients named name.
func clientIDs(ctx context.Context, c *cip.Client, poolID, name string) ([]string, error) {
	var ids []string
	p := cip.NewListUserPoolClientsPaginator(c, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(poolID), MaxResults: aws.Int32(60)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("devstack: ListUserPoolClients: %w", err)
		}
		for _, d := range page.UserPoolClients {
			if aws.ToString(d.ClientName) == name {
				ids = append(ids, aws.ToString(d.ClientId))
			}
		}
	}
	return ids, nil
}

// createClient creates the app client, with a secret, set as want.
func createClient(ctx context.Context, c *cip.Client, poolID, name string, want clientSettings) (id, secret string, err error) {
	out, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId:                      aws.String(poolID),
		ClientName:                      aws.String(name),
		GenerateSecret:                  true,
		AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthFlows:               oauthFlows,
		AllowedOAuthScopes:              oauthScopes,
		SupportedIdentityProviders:      []string{"COGNITO"},
		ExplicitAuthFlows:               explicitFlows,
		EnableTokenRevocation:           aws.Bool(true),
		PreventUserExistenceErrors:      types.PreventUserExistenceErrorTypesEnabled,
		CallbackURLs:                    want.callbackURLs,
		LogoutURLs:                      want.logoutURLs,
		AccessTokenValidity:             aws.Int32(want.access),
		IdTokenValidity:                 aws.Int32(want.access),
		RefreshTokenValidity:            want.refresh,
		TokenValidityUnits:              minuteUnits,
		ReadAttributes:                  readAttributes,
		WriteAttributes:                 writeAttributes,
	})
	if err != nil {
		return "", "", fmt.Errorf("devstack: CreateUserPoolClient %q: %w", name, err)
	}
	return aws.ToString(out.UserPoolClient.ClientId), aws.ToString(out.UserPoolClient.ClientSecret), nil
}

// syncClient reads the existing client id, with its secret, and updates it when its managed
// settings differ from want.
func syncClient(ctx context.Context, c *cip.Client, poolID, name, id string, want clientSettings) (string, string, error) {
	// Only DescribeUserPoolClient returns the secret (List returns descriptions).
	d, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: aws.String(id)})
	if err != nil {
		return "", "", fmt.Errorf("devstack: DescribeUserPoolClient: %w", err)
	}
	cur := d.UserPoolClient
	if aws.ToString(cur.ClientSecret) == "" {
		return "", "", fmt.Errorf("devstack: app client %q (%s) has no secret; delete it so Bootstrap can recreate it", name, id)
	}
	if !clientDiffers(cur, want) {
		return id, aws.ToString(cur.ClientSecret), nil
	}
	if err := updateClient(ctx, c, cur, poolID, name, id, want); err != nil {
		return "", "", err
	}
	return id, aws.ToString(cur.ClientSecret), nil
}

// updateClient sets the managed settings of client id to want, keeping the rest of cur.
func updateClient(ctx context.Context, c *cip.Client, cur *types.UserPoolClientType, poolID, name, id string, want clientSettings) error {
	// Cognito resets every field left out of UpdateUserPoolClient to its
	// default, so the full configuration is sent, not just the changed URLs.
	_, err := c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
		UserPoolId:                      aws.String(poolID),
		ClientId:                        aws.String(id),
		ClientName:                      aws.String(name),
		AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthFlows:               oauthFlows,
		AllowedOAuthScopes:              oauthScopes,
		SupportedIdentityProviders:      []string{"COGNITO"},
		ExplicitAuthFlows:               explicitFlows,
		EnableTokenRevocation:           aws.Bool(true),
		PreventUserExistenceErrors:      types.PreventUserExistenceErrorTypesEnabled,
		CallbackURLs:                    want.callbackURLs,
		LogoutURLs:                      want.logoutURLs,
		AccessTokenValidity:             aws.Int32(want.access),
		IdTokenValidity:                 aws.Int32(want.access),
		RefreshTokenValidity:            want.refresh,
		TokenValidityUnits:              minuteUnits,
		ReadAttributes:                  readAttributes,
		WriteAttributes:                 writeAttributes,
		AuthSessionValidity:             cur.AuthSessionValidity,
	})
	if err != nil {
		return fmt.Errorf("devstack: UpdateUserPoolClient %q: %w", name, err)
	}
	return nil
}

// clientDiffers reports whether the stored client's managed fields differ from
// want. Lists are compared as sets because Cognito does not promise an order.
func clientDiffers(cur *types.UserPoolClientType, want clientSettings) bool {
	sameSet := func(a, b []string) bool {
		a, b = slices.Clone(a), slices.Clone(b)
		slices.Sort(a)
		slices.Sort(b)
		return slices.Equal(slices.Compact(a), slices.Compact(b))
	}
	units := cur.TokenValidityUnits
	if units == nil {
		return true
	}
	return !sameSet(cur.CallbackURLs, want.callbackURLs) ||
		!sameSet(cur.LogoutURLs, want.logoutURLs) ||
		aws.ToInt32(cur.AccessTokenValidity) != want.access ||
		aws.ToInt32(cur.IdTokenValidity) != want.access ||
		cur.RefreshTokenValidity != want.refresh ||
		*units != *minuteUnits ||
		// A client made by an earlier release lacks a flow added since (ALLOW_USER_AUTH),
		// or the attribute permissions (profile updates).
		!sameSet(flowNames(cur.ExplicitAuthFlows), flowNames(explicitFlows)) ||
		!sameSet(cur.ReadAttributes, readAttributes) ||
		!sameSet(cur.WriteAttributes, writeAttributes)
}

func flowNames(flows []types.ExplicitAuthFlowsType) []string {
	out := make([]string, len(flows))
	for i, f := range flows {
		out[i] = string(f)
	}
	return out
}

// ensureGroups creates the named groups that do not exist yet. Existing groups
// are found with ListGroups, not GetGroup: cognito-local's GetGroup fails with
// a 500 in a pool that has no groups at all, and its CreateGroup silently
// replaces an existing group (dropping its members) where Cognito would refuse.
func ensureGroups(ctx context.Context, c *cip.Client, poolID string, names []string) error {
	existing := map[string]bool{}
	p := cip.NewListGroupsPaginator(c, &cip.ListGroupsInput{UserPoolId: aws.String(poolID)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("devstack: ListGroups: %w", err)
		}
		for _, g := range page.Groups {
			existing[aws.ToString(g.GroupName)] = true
		}
	}
	for _, name := range names {
		if existing[name] {
			continue
		}
		_, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String(name)})
		var exists *types.GroupExistsException
		if err != nil && !errors.As(err, &exists) {
			return fmt.Errorf("devstack: CreateGroup %q: %w", name, err)
		}
	}
	return nil
}

func ensureUser(ctx context.Context, c *cip.Client, poolID string, u User) error {
	if u.Email == "" || u.Password == "" {
		return errors.New("devstack: a seed user needs Email and Password")
	}
	var username string
	var status types.UserStatusType
	got, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String(u.Email)})
	var notFound *types.UserNotFoundException
	switch {
	case err == nil:
		username, status = aws.ToString(got.Username), got.UserStatus
	case errors.As(err, &notFound):
		attrs := map[string]string{"email": u.Email, "email_verified": "true"}
		maps.Copy(attrs, u.Attributes)
		var list []types.AttributeType
		for _, k := range slices.Sorted(maps.Keys(attrs)) {
			list = append(list, types.AttributeType{Name: aws.String(k), Value: aws.String(attrs[k])})
		}
		out, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId:     aws.String(poolID),
			Username:       aws.String(u.Email),
			UserAttributes: list,
			MessageAction:  types.MessageActionTypeSuppress,
		})
		if err != nil {
			return fmt.Errorf("devstack: AdminCreateUser %s: %w", u.Email, err)
		}
		username, status = aws.ToString(out.User.Username), out.User.UserStatus
	default:
		return fmt.Errorf("devstack: AdminGetUser %s: %w", u.Email, err)
	}

	if status != types.UserStatusTypeConfirmed {
		_, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
			UserPoolId: aws.String(poolID),
			Username:   aws.String(username),
			Password:   aws.String(u.Password),
			Permanent:  true,
		})
		if err != nil {
			return fmt.Errorf("devstack: AdminSetUserPassword %s: %w", u.Email, err)
		}
	}
	if len(u.Groups) == 0 {
		return nil
	}

	// The canonical username (the sub, with e-mail sign-in) is used from here
	// on: cognito-local's AdminListGroupsForUser matches members by the literal
	// name passed, so an e-mail would find no groups.
	member := map[string]bool{}
	p := cip.NewAdminListGroupsForUserPaginator(c, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(poolID), Username: aws.String(username)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("devstack: AdminListGroupsForUser %s: %w", u.Email, err)
		}
		for _, g := range page.Groups {
			member[aws.ToString(g.GroupName)] = true
		}
	}
	for _, g := range u.Groups {
		if member[g] {
			continue
		}
		_, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(poolID), Username: aws.String(username), GroupName: aws.String(g)})
		if err != nil {
			return fmt.Errorf("devstack: AdminAddUserToGroup %s %s: %w", u.Email, g, err)
		}
		member[g] = true
	}
	return nil
}

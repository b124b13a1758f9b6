package devstack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/monban-auth/monban/internal/triggers"
	"github.com/monban-auth/monban/internal/triggers/presignup"
	"github.com/monban-auth/monban/internal/triggers/pretoken"
)

// triggerFunctions tells cognito-local which function serves which trigger.
var triggerFunctions = func() map[string]string {
	m := map[string]string{}
	for _, f := range triggers.All {
		m[f.Trigger] = f.Name
	}
	return m
}()

// TriggerHandlers builds the trigger functions from their environment as the Lambda
// functions do (triggers/*/main.go), keyed by function name, but strictly: a setting the
// deployed pre-token-generation function would log and skip stops the local stack at start.
func TriggerHandlers(getenv func(string) string, log *slog.Logger) (map[string]lambda.Handler, error) {
	signUpCfg, err := presignup.ConfigFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	signUp, err := presignup.New(signUpCfg, log.With("function", triggers.PreSignUp.Name))
	if err != nil {
		return nil, err
	}
	tokenCfg, err := pretoken.ConfigFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	tokens, err := pretoken.New(tokenCfg, log.With("function", triggers.PreTokenGeneration.Name))
	if err != nil {
		return nil, err
	}
	return map[string]lambda.Handler{
		triggers.PreSignUp.Name:          lambda.NewHandler(signUp.Handle),
		triggers.PreTokenGeneration.Name: lambda.NewHandler(tokens.Handle),
	}, nil
}

// groupsFiller stands in for what cognito-local leaves out of pre-token-generation
// events: the user's groups, which Cognito sends in request.groupConfiguration and the
// emulator sends as {} (it puts them in the tokens itself). It looks them up with
// AdminListGroupsForUser and passes the completed event on, so a groups → claim mapping
// works locally as it does in AWS. It also presents the emulator's V1 event as V2_0, the
// version a deployed pool sends (see Invoke).
type groupsFiller struct {
	next lambda.Handler
	// idp is set once the emulator is up; the server that calls Invoke starts before it.
	idp atomic.Pointer[cip.Client]
}

func (g *groupsFiller) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	idp := g.idp.Load()
	if idp == nil {
		return g.next.Invoke(ctx, payload)
	}
	var ev map[string]any
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber() // numbers pass through as they came
	if err := dec.Decode(&ev); err != nil {
		return g.next.Invoke(ctx, payload)
	}
	source, _ := ev["triggerSource"].(string)
	req, _ := ev["request"].(map[string]any)
	if !strings.HasPrefix(source, "TokenGeneration_") || req == nil {
		return g.next.Invoke(ctx, payload)
	}
	gc, _ := req["groupConfiguration"].(map[string]any)
	if gc == nil {
		gc = map[string]any{}
	}
	if _, present := gc["groupsToOverride"]; present {
		return g.next.Invoke(ctx, payload)
	}
	pool, _ := ev["userPoolId"].(string)
	user, _ := ev["userName"].(string)
	groups := []string{}
	p := cip.NewAdminListGroupsForUserPaginator(idp, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(pool), Username: aws.String(user)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("devstack: the user's groups for the pre-token-generation event: %w", err)
		}
		for _, grp := range page.Groups {
			groups = append(groups, aws.ToString(grp.GroupName))
		}
	}
	gc["groupsToOverride"] = groups
	if _, present := gc["iamRolesToOverride"]; !present {
		gc["iamRolesToOverride"] = []string{}
	}
	if _, present := gc["preferredRole"]; !present {
		gc["preferredRole"] = nil
	}
	req["groupConfiguration"] = gc
	// cognito-local sends a version "0" (V1) event, whose claims must be strings, while a
	// deployed pool on the Essentials or Plus plan sends V2_0 (arrays allowed, access token
	// too). Ask the handler in V2_0, as production does, and hand the ID-token part back in
	// the V1 shape the emulator reads, so local tokens look like deployed ones.
	v1 := ev["version"] == "0" || ev["version"] == "1"
	if v1 {
		ev["version"] = "2"
	}
	filled, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("devstack: %w", err)
	}
	out, err := g.next.Invoke(ctx, filled)
	if err != nil || !v1 {
		return out, err
	}
	return v2AnswerAsV1(out)
}

// v2AnswerAsV1 moves a V2_0 answer's ID-token overrides to where a V1 answer keeps them.
func v2AnswerAsV1(out []byte) ([]byte, error) {
	var ans map[string]any
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&ans); err != nil {
		return nil, fmt.Errorf("devstack: pre-token-generation answer: %w", err)
	}
	resp, _ := ans["response"].(map[string]any)
	if resp == nil {
		return out, nil
	}
	v2, _ := resp["claimsAndScopeOverrideDetails"].(map[string]any)
	id, _ := v2["idTokenGeneration"].(map[string]any)
	details := map[string]any{}
	if add, ok := id["claimsToAddOrOverride"]; ok {
		details["claimsToAddOrOverride"] = add
	}
	if sup, ok := id["claimsToSuppress"]; ok {
		details["claimsToSuppress"] = sup
	}
	if grp, ok := v2["groupOverrideDetails"]; ok {
		details["groupOverrideDetails"] = grp
	}
	delete(resp, "claimsAndScopeOverrideDetails")
	resp["claimsOverrideDetails"] = details
	ans["version"] = "1"
	return json.Marshal(ans)
}

// ensureCustomAttributes declares on the pool the custom attributes the claim mappings in
// triggerEnv read, as the deployed pool's schema must: cognito-local, like Cognito, refuses
// to update an attribute its schema lacks (although it lets one through at sign-up).
func ensureCustomAttributes(ctx context.Context, idp *cip.Client, poolID string, triggerEnv map[string]string) error {
	cfg, err := pretoken.ConfigFromEnv(func(k string) string { return triggerEnv[k] })
	if err != nil {
		return err
	}
	var wanted []string
	for _, m := range cfg.Mappings {
		if name, ok := strings.CutPrefix(m.Source, "custom:"); ok && !slices.Contains(wanted, name) {
			wanted = append(wanted, name)
		}
	}
	if len(wanted) == 0 {
		return nil
	}
	d, err := idp.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		return fmt.Errorf("devstack: DescribeUserPool: %w", err)
	}
	var missing []types.SchemaAttributeType
	for _, name := range wanted {
		if !slices.ContainsFunc(d.UserPool.SchemaAttributes, func(a types.SchemaAttributeType) bool { return aws.ToString(a.Name) == "custom:"+name }) {
			missing = append(missing, types.SchemaAttributeType{Name: aws.String(name), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)})
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := idp.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: aws.String(poolID), CustomAttributes: missing}); err != nil {
		return fmt.Errorf("devstack: AddCustomAttributes: %w", err)
	}
	return nil
}

package cognitodir_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/monban-auth/monban/internal/devstack"
	"github.com/monban-auth/monban/internal/devstack/devstacktest"
	"github.com/monban-auth/monban/internal/triggers/presignup"
	"github.com/monban-auth/monban/internal/triggers/presignup/cognitodir"
)

// fakeAPI answers ListUsers from pages and records every request.
type fakeAPI struct {
	pages   []*cip.ListUsersOutput
	listErr error
	linkErr error

	lists []*cip.ListUsersInput
	links []*cip.AdminLinkProviderForUserInput
}

func (f *fakeAPI) ListUsers(_ context.Context, in *cip.ListUsersInput, _ ...func(*cip.Options)) (*cip.ListUsersOutput, error) {
	copied := *in
	f.lists = append(f.lists, &copied)
	if f.listErr != nil {
		return nil, f.listErr
	}
	return f.pages[len(f.lists)-1], nil
}

func (f *fakeAPI) AdminLinkProviderForUser(_ context.Context, in *cip.AdminLinkProviderForUserInput, _ ...func(*cip.Options)) (*cip.AdminLinkProviderForUserOutput, error) {
	f.links = append(f.links, in)
	return &cip.AdminLinkProviderForUserOutput{}, f.linkErr
}

func userType(name, email, verified string, status types.UserStatusType) types.UserType {
	attrs := []types.AttributeType{{Name: aws.String("sub"), Value: aws.String(name)}, {Name: aws.String("email"), Value: aws.String(email)}}
	if verified != "" {
		attrs = append(attrs, types.AttributeType{Name: aws.String("email_verified"), Value: aws.String(verified)})
	}
	return types.UserType{Username: aws.String(name), UserStatus: status, Enabled: true, Attributes: attrs}
}

// cognitoError is an error Cognito answered, with a message that quotes the request.
var cognitoError = &smithy.OperationError{ServiceID: "Cognito Identity Provider", OperationName: "ListUsers",
	Err: &smithy.GenericAPIError{Code: "InvalidParameterException", Message: `Error while parsing filter email = "dave@example.com"`}}

func TestFindByEmail(t *testing.T) {
	cases := []struct {
		name      string
		api       *fakeAPI
		want      []presignup.User
		wantPages int
		wantErr   string
	}{
		{name: "every page is read, with each user's status and verification",
			api: &fakeAPI{pages: []*cip.ListUsersOutput{
				{Users: []types.UserType{userType("u1", "dave@example.com", "true", types.UserStatusTypeConfirmed)}, PaginationToken: aws.String("p2")},
				{Users: []types.UserType{
					userType("google_1", "dave@example.com", "", types.UserStatusTypeExternalProvider),
					userType("u2", "dave@example.com", "false", types.UserStatusTypeUnconfirmed),
				}},
			}},
			want: []presignup.User{
				{Username: "u1", Email: "dave@example.com", Status: presignup.StatusConfirmed, EmailVerified: true},
				{Username: "google_1", Email: "dave@example.com", Status: presignup.StatusExternalProvider},
				{Username: "u2", Email: "dave@example.com", Status: "UNCONFIRMED"},
			},
			wantPages: 2},
		{name: "no user is an empty answer", api: &fakeAPI{pages: []*cip.ListUsersOutput{{}}}, wantPages: 1},
		{name: "an address shared beyond the page limit is an error, not a partial answer",
			api: &fakeAPI{pages: slices.Repeat([]*cip.ListUsersOutput{{
				Users: []types.UserType{userType("u", "dave@example.com", "true", types.UserStatusTypeConfirmed)}, PaginationToken: aws.String("next"),
			}}, 5)},
			wantPages: 5, wantErr: "more than 5 pages"},
		{name: "Cognito's error is named by its code, its message (which quotes the filter) dropped",
			api: &fakeAPI{listErr: cognitoError}, wantPages: 1, wantErr: "ListUsers: InvalidParameterException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := cognitodir.New(c.api).FindByEmail(context.Background(), "eu-west-1_AbCdEf123", "dave@example.com")
			if len(c.api.lists) != c.wantPages {
				t.Errorf("%d ListUsers calls, want %d", len(c.api.lists), c.wantPages)
			}
			for i, in := range c.api.lists {
				if aws.ToString(in.UserPoolId) != "eu-west-1_AbCdEf123" || aws.ToString(in.Filter) != `email = "dave@example.com"` || in.AttributesToGet != nil {
					t.Errorf("request %d: pool %q filter %q attributes %v", i, aws.ToString(in.UserPoolId), aws.ToString(in.Filter), in.AttributesToGet)
				}
				want := ""
				if i > 0 {
					want = aws.ToString(c.api.pages[i-1].PaginationToken)
				}
				if aws.ToString(in.PaginationToken) != want {
					t.Errorf("request %d: pagination token %q, want %q", i, aws.ToString(in.PaginationToken), want)
				}
			}
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || strings.Contains(err.Error(), "dave") {
					t.Fatalf("err = %v, want %q without the address", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("users = %+v\nwant %+v", got, c.want)
			}
		})
	}
	if _, err := cognitodir.New(&fakeAPI{}).FindByEmail(context.Background(), "p", `"a"@example.com`); err == nil {
		t.Error("an address with a quote was put in a filter")
	}
}

func TestLink(t *testing.T) {
	api := &fakeAPI{}
	d := cognitodir.New(api)
	if err := d.Link(context.Background(), "eu-west-1_AbCdEf123", "6f1c2a9e", presignup.Identity{Provider: "Google", Subject: "109876543210987654321"}); err != nil {
		t.Fatal(err)
	}
	if len(api.links) != 1 {
		t.Fatalf("%d calls", len(api.links))
	}
	in := api.links[0]
	dst, src := in.DestinationUser, in.SourceUser
	if aws.ToString(in.UserPoolId) != "eu-west-1_AbCdEf123" ||
		aws.ToString(dst.ProviderName) != "Cognito" || aws.ToString(dst.ProviderAttributeValue) != "6f1c2a9e" ||
		aws.ToString(src.ProviderName) != "Google" || aws.ToString(src.ProviderAttributeName) != "Cognito_Subject" ||
		aws.ToString(src.ProviderAttributeValue) != "109876543210987654321" {
		t.Fatalf("request: pool %q, destination %+v, source %+v", aws.ToString(in.UserPoolId), *dst, *src)
	}
	api.linkErr = &smithy.GenericAPIError{Code: "InvalidParameterException", Message: "Invalid SourceUser: 6f1c2a9e"}
	if err := d.Link(context.Background(), "p", "6f1c2a9e", presignup.Identity{Provider: "Google", Subject: "1"}); err == nil ||
		err.Error() != "AdminLinkProviderForUser: InvalidParameterException" {
		t.Fatalf("err = %v", err)
	}
}

func TestFromEnv(t *testing.T) {
	if _, err := cognitodir.FromEnv(func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "AWS_REGION") {
		t.Errorf("no region: err = %v", err)
	}
	// The endpoint override and the environment's credentials reach the request.
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write([]byte(`{"Users":[]}`))
	}))
	defer srv.Close()
	env := map[string]string{
		"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "ASIATESTKEY", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token",
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": srv.URL + "/",
	}
	d, err := cognitodir.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	users, err := d.FindByEmail(context.Background(), "eu-west-1_AbCdEf123", "dave@example.com")
	if err != nil || len(users) != 0 {
		t.Fatalf("users %v, err %v", users, err)
	}
	if !strings.Contains(auth, "Credential=ASIATESTKEY/") || !strings.Contains(auth, "/eu-west-1/cognito-idp/") {
		t.Fatalf("Authorization = %q", auth)
	}
	delete(env, "AWS_ACCESS_KEY_ID")
	if d, err = cognitodir.FromEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if _, err := d.FindByEmail(context.Background(), "eu-west-1_AbCdEf123", "dave@example.com"); err == nil {
		t.Fatal("a request was signed without credentials")
	}
}

// Against moto_server: ListUsers with the filter, as Cognito's own JSON. moto (5.2.1) has
// no AdminLinkProviderForUser and no provider users (EXTERNAL_PROVIDER), so Link and that
// status are covered by the tests above only.
func TestFindByEmailAgainstMoto(t *testing.T) {
	m := devstacktest.RequireMoto(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	admin := devstack.NewCognitoClient(m.URL)
	pool, err := admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("monban-link")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := pool.UserPool.Id
	create := func(username, email, verified string, confirm bool) {
		t.Helper()
		if _, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: poolID, Username: aws.String(username), MessageAction: types.MessageActionTypeSuppress,
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}, {Name: aws.String("email_verified"), Value: aws.String(verified)}},
		}); err != nil {
			t.Fatal(err)
		}
		if confirm {
			if _, err := admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
				UserPoolId: poolID, Username: aws.String(username), Password: aws.String("Correct-horse-1!"), Permanent: true,
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	create("dave", "dave@example.com", "true", true)
	create("erin", "erin@example.com", "false", true)
	create("erin-again", "erin@example.com", "true", false)
	create("dave-au", "dave@example.com.au", "true", true)

	d := cognitodir.New(admin)
	cases := []struct {
		email string
		want  []presignup.User
	}{
		{"dave@example.com", []presignup.User{{Username: "dave", Email: "dave@example.com", Status: presignup.StatusConfirmed, EmailVerified: true}}},
		{"erin@example.com", []presignup.User{
			{Username: "erin", Email: "erin@example.com", Status: presignup.StatusConfirmed},
			{Username: "erin-again", Email: "erin@example.com", Status: "FORCE_CHANGE_PASSWORD", EmailVerified: true},
		}},
		{"nobody@example.com", nil},
	}
	for _, c := range cases {
		got, err := d.FindByEmail(ctx, *poolID, c.email)
		if err != nil {
			t.Fatalf("%s: %v", c.email, err)
		}
		slices.SortFunc(got, func(a, b presignup.User) int { return strings.Compare(a.Username, b.Username) })
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: users %+v\nwant %+v", c.email, got, c.want)
		}
	}
	if _, err := d.FindByEmail(ctx, "us-east-1_nosuchpool", "dave@example.com"); err == nil || strings.Contains(err.Error(), "dave") {
		t.Errorf("an unknown pool: err = %v", err)
	}
}

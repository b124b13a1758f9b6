// Package triggers is the one table of monban's Cognito trigger functions: which user pool
// trigger each serves, the folder its Lambda main package lives in, and its resource in
// template.yaml. The local stack (devstack), the runtime harness (lambdaruntime) and the
// wrong-trigger errors (triggersource) read it; a guard test holds the folders under
// triggers/, the Makefile's FUNCTIONS and build targets, and the template to it.
//
// Adding a trigger function: its logic in a package beside presignup and pretoken, a thin
// main under triggers/<name>/, a row here, its resource in template.yaml with a
// build-<Resource> target in the Makefile, and real events for the runtime harness.
package triggers

// Function is one of monban's trigger functions.
type Function struct {
	// Name is the function's folder under triggers/, and its name in the local stack and
	// the runtime harness (fixtures under testdata/events/<Name>/).
	Name string
	// Trigger is the user pool's LambdaConfig key it is attached to, such as "PreSignUp".
	Trigger string
	// Resource is its logical id in template.yaml; `sam build` runs make build-<Resource>.
	Resource string
}

// Dir is the function's main package, relative to the module root.
func (f Function) Dir() string { return "triggers/" + f.Name }

var (
	// PreSignUp confirms self sign-ups and can limit them to e-mail domains (presignup).
	PreSignUp = Function{Name: "pre-sign-up", Trigger: "PreSignUp", Resource: "PreSignUpFunction"}
	// PreTokenGeneration adds claims from attributes and groups to the tokens (pretoken).
	PreTokenGeneration = Function{Name: "pre-token-generation", Trigger: "PreTokenGeneration", Resource: "PreTokenGenerationFunction"}
)

// All lists every trigger function.
var All = []Function{PreSignUp, PreTokenGeneration}

// For returns the function attached to trigger (a LambdaConfig key), if monban has one.
func For(trigger string) (Function, bool) {
	for _, f := range All {
		if f.Trigger == trigger {
			return f, true
		}
	}
	return Function{}, false
}

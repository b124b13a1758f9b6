package lambdahttp

import (
	"slices"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/monban-auth/monban/internal/jsonwrite"
)

// appendResponse appends resp as JSON, byte for byte what encode (encoding/json, HTML left
// unescaped) writes for it, without reflection: every answer of the function goes through
// here.
func appendResponse(b []byte, resp *events.APIGatewayV2HTTPResponse) []byte {
	b = append(b, `{"statusCode":`...)
	b = strconv.AppendInt(b, int64(resp.StatusCode), 10)
	b = append(b, `,"headers":`...)
	b = jsonwrite.StringMap(b, resp.Headers, false)
	b = append(b, `,"multiValueHeaders":`...)
	if resp.MultiValueHeaders == nil {
		b = append(b, "null"...)
	} else {
		keys := sortedKeys(resp.MultiValueHeaders)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonwrite.String(b, k, false)
			b = append(b, ':')
			b = jsonwrite.Strings(b, resp.MultiValueHeaders[k], false)
		}
		b = append(b, '}')
	}
	b = append(b, `,"body":`...)
	b = jsonwrite.String(b, resp.Body, false)
	if resp.IsBase64Encoded {
		b = append(b, `,"isBase64Encoded":true`...)
	}
	b = append(b, `,"cookies":`...)
	b = jsonwrite.Strings(b, resp.Cookies, false)
	return append(b, '}')
}

// sortedKeys returns m's keys in the order encoding/json writes them.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

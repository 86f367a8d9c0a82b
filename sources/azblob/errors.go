package azblob

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/retrohunt/retrohunt/sources"
)

// ErrNoCredentials is returned (wrapped) by New when no credential in
// the chain can get a token.
var ErrNoCredentials = errors.New("no Azure credentials found")

// requestError names the failed request and the blob, and says what Azure
// answered in one line with credentials removed. azcore's own errors span
// many lines and embed the request URL with its SAS query, so they are
// kept only for errors.As, never for their text.
type requestError struct {
	msg string
	err error
}

func (e *requestError) Error() string { return e.msg }
func (e *requestError) Unwrap() error { return e.err }

func wrapErr(op, uri string, err error) error {
	return &requestError{msg: op + " " + uri + ": " + describe(err), err: err}
}

// describe says what went wrong in one redacted line.
func describe(err error) string {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		code := re.ErrorCode
		if code == "" {
			code = http.StatusText(re.StatusCode)
		}
		return fmt.Sprintf("%s (HTTP %d)", code, re.StatusCode)
	}
	return oneLine(sources.Redact(err.Error()))
}

func oneLine(s string) string {
	f := strings.Fields(s)
	return strings.Join(f, " ")
}

// IsNotExist reports whether err means a missing blob or container.
func IsNotExist(err error) bool {
	if err == nil {
		return false
	}
	if bloberror.HasCode(err, bloberror.BlobNotFound, bloberror.ContainerNotFound, bloberror.ResourceNotFound) {
		return true
	}
	// A bare 404 (HEAD answers have no body) counts; a 404 with another
	// code does not.
	return ErrorCode(err) == "" && HTTPStatus(err) == http.StatusNotFound
}

// IsPermanent reports whether retrying cannot help: the request was
// understood and refused, or there are no credentials. Throttling, server
// errors, timeouts and network failures are worth another try.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrNoCredentials) || IsNotExist(err) {
		return true
	}
	if bloberror.HasCode(err, bloberror.ServerBusy, bloberror.OperationTimedOut, bloberror.InternalError) {
		return false
	}
	return sources.PermanentStatus(HTTPStatus(err))
}

// ErrorCode returns Azure's error code ("ContainerNotFound",
// "AuthenticationFailed", …), or "" when no answer arrived.
func ErrorCode(err error) string {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}

// HTTPStatus returns the HTTP status of a failed request, or 0 when no
// response arrived (network failure, timeout, no credentials).
func HTTPStatus(err error) int {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode
	}
	return 0
}

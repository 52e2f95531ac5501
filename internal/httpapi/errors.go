package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// ErrorBody is the one shape of every API error (design §5).
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail names the error class, says what happened and lists the fields.
type ErrorDetail struct {
	Code    string              `json:"code"`
	Message string              `json:"message"`
	Details []domain.FieldError `json:"details,omitempty"`
}

// statusOf is the one place sentinel errors become HTTP statuses.
func statusOf(err error) (int, string) {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, "too_large"
	case errors.Is(err, domain.ErrNotFound):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, domain.ErrConflict):
		return http.StatusConflict, "conflict"
	case errors.Is(err, domain.ErrInvalid):
		return http.StatusUnprocessableEntity, "invalid"
	case errors.Is(err, domain.ErrUnauthorized):
		return http.StatusUnauthorized, "unauthorized"
	case errors.Is(err, domain.ErrForbidden):
		return http.StatusForbidden, "forbidden"
	case errors.Is(err, domain.ErrUnavailable):
		return http.StatusServiceUnavailable, "unavailable"
	}
	return http.StatusInternalServerError, "internal"
}

// Abort renders err as the standard error body and stops the chain. Internal
// errors are logged with the request id and answered with a generic message:
// their text may carry data that must not leave the server.
func Abort(c *gin.Context, log *slog.Logger, err error) {
	status, code := statusOf(err)
	body := ErrorBody{Error: ErrorDetail{Code: code, Message: err.Error()}}
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		body.Error.Details = ve.Details
		if ve.Message != "" {
			body.Error.Message = ve.Message
		}
	}
	switch status {
	case http.StatusInternalServerError:
		log.ErrorContext(c.Request.Context(), "request failed", "err", err, "route", c.FullPath())
		body.Error.Message = "internal error; quote the request id " + c.Writer.Header().Get(requestIDHeader) + " when reporting it"
	case http.StatusServiceUnavailable:
		log.WarnContext(c.Request.Context(), "dependency unavailable", "err", err, "route", c.FullPath())
		body.Error.Message = "the database is unavailable; retry shortly"
		c.Header("Retry-After", "5")
	case http.StatusUnauthorized:
		c.Header("WWW-Authenticate", `Bearer realm="tanggap"`)
	}
	c.AbortWithStatusJSON(status, body)
}

// bindJSON decodes a JSON body strictly: unknown fields and trailing data are
// errors that name the problem.
func bindJSON(c *gin.Context, dst any) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var mbe *http.MaxBytesError
		var ute *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &mbe):
			return err
		case errors.Is(err, io.EOF):
			return domain.Invalid("body", "a JSON body is required")
		case errors.As(err, &ute):
			return domain.Invalidf(ute.Field, "expected %s, got %s", ute.Type, ute.Value)
		case errors.As(err, &se):
			return domain.Invalidf("body", "malformed JSON at byte %d: %v", se.Offset, se)
		default:
			return domain.Invalidf("body", "%v", err)
		}
	}
	if dec.More() {
		return domain.Invalid("body", "unexpected data after the JSON value")
	}
	return nil
}

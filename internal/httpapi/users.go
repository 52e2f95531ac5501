package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/workspace"
)

// UserAPI serves workspace accounts and the reporter access log (admins
// only; the service checks).
type UserAPI struct {
	svc *workspace.Service
	log *slog.Logger
}

// Register adds the routes.
func (h *UserAPI) Register(rg *gin.RouterGroup) {
	rg.GET("/users", h.list)
	rg.POST("/users", h.create)
	rg.GET("/users/:username", h.get)
	rg.POST("/users/:username/disable", h.disable)
	rg.POST("/users/:username/enable", h.enable)
	rg.POST("/users/:username/unlock", h.unlock)
	rg.POST("/users/:username/reset", h.reset)
	rg.GET("/reporter-access", h.reporterAccess)
}

type userBody struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Email       string `json:"email"`
	Role        string `json:"role"`
	AgencyCode  string `json:"agency_code"`
	Password    string `json:"password"`
}

// userWithPassword carries a password only when the server generated it:
// shown once, never stored in clear.
type userWithPassword struct {
	store.User
	Password string `json:"password,omitempty"`
}

func (h *UserAPI) create(c *gin.Context) {
	var b userBody
	if err := bindJSON(c, &b); err != nil {
		Abort(c, h.log, err)
		return
	}
	u, pw, err := h.svc.CreateUser(c.Request.Context(), principal(c), workspace.NewUser{Username: b.Username, DisplayName: b.DisplayName,
		Email: b.Email, Role: workspace.Role(b.Role), AgencyCode: b.AgencyCode, Password: b.Password})
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	out := userWithPassword{User: u}
	if b.Password == "" {
		out.Password = pw
	}
	c.JSON(http.StatusCreated, out)
}

func (h *UserAPI) list(c *gin.Context) {
	list, err := h.svc.ListUsers(c.Request.Context(), principal(c))
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, Page[store.User]{Items: nonNil(list), Total: int64(len(list)), Limit: len(list)})
}

func (h *UserAPI) get(c *gin.Context) {
	u, err := h.svc.GetUser(c.Request.Context(), principal(c), c.Param("username"))
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (h *UserAPI) disable(c *gin.Context) {
	u, err := h.svc.DisableUser(c.Request.Context(), principal(c), c.Param("username"))
	h.reply(c, u, err)
}

func (h *UserAPI) enable(c *gin.Context) {
	u, err := h.svc.EnableUser(c.Request.Context(), principal(c), c.Param("username"))
	h.reply(c, u, err)
}

func (h *UserAPI) unlock(c *gin.Context) {
	u, err := h.svc.UnlockUser(c.Request.Context(), principal(c), c.Param("username"))
	h.reply(c, u, err)
}

func (h *UserAPI) reply(c *gin.Context, u store.User, err error) {
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

type resetBody struct {
	Password string `json:"password"`
}

func (h *UserAPI) reset(c *gin.Context) {
	var b resetBody
	// The body is optional: none means "generate a password".
	if c.Request.ContentLength != 0 {
		if err := bindJSON(c, &b); err != nil {
			Abort(c, h.log, err)
			return
		}
	}
	u, pw, err := h.svc.ResetPassword(c.Request.Context(), principal(c), c.Param("username"), b.Password)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	out := userWithPassword{User: u}
	if b.Password == "" {
		out.Password = pw
	}
	c.JSON(http.StatusOK, out)
}

func (h *UserAPI) reporterAccess(c *gin.Context) {
	limit, offset, err := pagination(c, 100, 1000)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	list, total, err := h.svc.ReporterAccessLog(c.Request.Context(), principal(c), store.ReporterAccessFilter{
		Source: c.Query("source"), TrackingID: c.Query("tracking_id"), Limit: limit, Offset: offset})
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, Page[store.ReporterAccess]{Items: nonNil(list), Total: total, Limit: limit, Offset: offset})
}

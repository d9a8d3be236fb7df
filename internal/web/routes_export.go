package web

// APIRoutes returns "METHOD /path" for every JSON route of the route table
// (those under /api/), in table order, so a test can keep the OpenAPI
// document in step with what the server actually serves.
func (s *Server) APIRoutes() []string {
	var out []string
	for _, rt := range s.routes() {
		if rt.isAPI() {
			out = append(out, rt.method+" "+rt.path)
		}
	}
	return out
}

-- LTI: what a launch key may do, and who may frame the tool.
--
-- A key minted by an LTI launch is scoped to the resource link it was launched from (and that
-- link's course context and exam): an instructor launching from one course gets no server-wide
-- instructor rights. Keys made through the API (or the bootstrap) have no scope.
ALTER TABLE api_keys ADD COLUMN scope_resource_link TEXT REFERENCES lti_resource_links (id);
ALTER TABLE api_keys ADD COLUMN scope_context TEXT;
ALTER TABLE api_keys ADD COLUMN scope_exam TEXT;

-- The origins that may frame the tool's pages for this platform (a JSON array of origins), e.g.
-- https://school.instructure.com for Canvas, whose issuer is https://canvas.instructure.com.
-- NULL: the origins of the platform's registered URLs and of each launch's return URL.
ALTER TABLE lti_platforms ADD COLUMN frame_origins TEXT;

-- The frame a login asked us to keep its state in (LTI client-side postMessage storage,
-- `lti_storage_target`): the launch page checks the state there when the browser sent no cookie.
ALTER TABLE lti_login_states ADD COLUMN storage_target TEXT;

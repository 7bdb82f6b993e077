-- LTI page sessions (src/lti/page.ts): an LTI launch lands on the web pages inside the LMS's
-- iframe, where third-party cookies cannot be relied on. Its session is a web_sessions row whose
-- token travels in the page's form bodies (never a cookie, never a URL), with the origins that may
-- frame its pages (the platform's, as the launch found them), as a JSON list. NULL: a cookie
-- session of the site itself. A cookie never opens an LTI page session, nor a form token a cookie one.
ALTER TABLE web_sessions ADD COLUMN frame_ancestors TEXT;

"""The OpenAPI 3.1 document of the JSON API. tests/api/test_openapi.py keeps it true: every
route is described and every route described exists, and the answers the tests get
validate against the schemas here."""

NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
NULLABLE_NUMBER = {"type": ["number", "null"]}
NULLABLE_INTEGER = {"type": ["integer", "null"]}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": {"$ref": "#/components/responses/BadRequest"},  # any parameter out of its bounds, a NUL
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "403": {"$ref": "#/components/responses/Forbidden"},
    "429": {"$ref": "#/components/responses/TooManyRequests"},
    "503": {"$ref": "#/components/responses/Busy"},
}
NOT_FOUND = {"404": {"$ref": "#/components/responses/NotFound"}}
# Parameters as the app checks them at the edge (web.cursor_arg, web.refuse_nul): text
# without NUL, cursors RANK:KEY with a rank from 1 (to 999,999,999 here) and a key of at most 64.
TEXT = {"type": "string", "pattern": "^[^\\u0000]*$"}
CURSOR = {"type": "string", "pattern": "^[1-9][0-9]{0,8}:[^\\u0000]{1,64}$"}
CAMPAIGN_PARAM = {"name": "campaign", "in": "query", "required": False, "schema": TEXT,
                  "description": "A campaign's code (default: the campaign running today)."}

SCHEMAS = {
    "Error": {"type": "object", "required": ["error", "status"], "additionalProperties": False,
              "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}},
    "Campaign": {
        "type": "object", "required": ["code", "name", "starts_on", "ends_on", "groups", "targets"],
        "additionalProperties": False,
        "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                       "starts_on": {"type": "string", "format": "date"},
                       "ends_on": {"type": "string", "format": "date"},
                       "groups": {"type": "array", "items": {"enum": ["cadre", "student", "worker", "citizen"]}},
                       "targets": {"type": "object", "additionalProperties": {"type": "number"}}}},
    "BoardEntry": {
        "type": "object", "additionalProperties": False,
        "required": ["rank", "key", "name", "unit", "points", "share", "per_capita", "day", "digital_family",
                     "universalized", "headcount", "movement"],
        "properties": {"rank": {"type": "integer", "minimum": 1}, "key": {"type": "string"},
                       "name": {"type": "string", "description": "A unit's name, a masked name or a household code"},
                       "unit": {"type": "string"}, "points": {"type": "integer"},
                       "share": NULLABLE_NUMBER, "per_capita": NULLABLE_NUMBER, "day": NULLABLE_DATE,
                       "digital_family": {"type": ["boolean", "null"]}, "universalized": NULLABLE_INTEGER,
                       "headcount": NULLABLE_INTEGER,
                       "movement": {**NULLABLE_INTEGER,
                                    "description": "Places up (+) or down (−) since the previous publication; "
                                                   "null: new"}}},
    "Board": {
        "type": "object", "additionalProperties": False,
        "required": ["campaign", "board", "bracket", "as_of", "entries", "before", "after"],
        "properties": {"campaign": {"type": "string"}, "board": {"enum": ["units", "households", "people"]},
                       "bracket": NULLABLE_STRING, "as_of": {"type": "string", "format": "date"},
                       "entries": {"type": "array", "items": _ref("BoardEntry")},
                       "before": {**NULLABLE_STRING, "description": "Cursor of the page before (RANK:KEY)"},
                       "after": {**NULLABLE_STRING, "description": "Cursor of the page after (RANK:KEY)"}}},
    "BadgeHeld": {
        "type": "object", "additionalProperties": False, "required": ["id", "badge", "name", "awarded_on", "assertion"],
        "properties": {"id": {"type": "string"}, "badge": {"type": "string"}, "name": {"type": "string"},
                       "awarded_on": {"type": "string", "format": "date"},
                       "assertion": {"type": "string", "format": "uri"}}},
    "PersonProgress": {
        "type": "object", "additionalProperties": False,
        "required": ["external_id", "full_name", "group", "unit", "household", "campaign", "points",
                     "universalized_on", "last_scored_on", "mentees", "badges"],
        "properties": {"external_id": {"type": "string"}, "full_name": {"type": "string"},
                       "group": {"enum": ["cadre", "student", "worker", "citizen"]}, "unit": {"type": "string"},
                       "household": NULLABLE_STRING, "campaign": {"type": "string"}, "points": {"type": "integer"},
                       "universalized_on": NULLABLE_DATE, "last_scored_on": NULLABLE_DATE,
                       "mentees": {"type": "integer"}, "badges": {"type": "array", "items": _ref("BadgeHeld")}}},
    "HouseholdProgress": {
        "type": "object", "additionalProperties": False,
        "required": ["code", "unit", "campaign", "members", "active_share", "digital_family", "achieved_on", "points",
                     "badges"],
        "properties": {"code": {"type": "string"}, "unit": {"type": "string"}, "campaign": {"type": "string"},
                       "members": {"type": "integer"}, "active_share": NULLABLE_NUMBER,
                       "digital_family": {"type": "boolean"}, "achieved_on": NULLABLE_DATE,
                       "points": {"type": "integer"}, "badges": {"type": "array", "items": _ref("BadgeHeld")}}},
    "Assertion": {
        "type": "object", "description": "An Open Badges 2.0 assertion (hosted verification)",
        "required": ["@context", "type", "id", "recipient", "badge", "verification", "issuedOn"],
        "properties": {"@context": {"const": "https://w3id.org/openbadges/v2"}, "type": {"const": "Assertion"},
                       "id": {"type": "string", "format": "uri"}, "badge": {"type": "string", "format": "uri"},
                       "recipient": {"type": "object", "required": ["type", "identity", "hashed"]},
                       "verification": {"type": "object", "required": ["type"]},
                       "issuedOn": {"type": "string", "format": "date-time"},
                       "revoked": {"type": "boolean"}, "revocationReason": {"type": "string"}}},
    "CompletionRow": {
        "type": "object", "additionalProperties": False,
        "required": ["person_id", "skill_code", "completed_on", "source"],
        "properties": {"person_id": {"type": "string", "pattern": "\\S"},
                       "skill_code": {"type": "string", "pattern": "\\S"},
                       "completed_on": {"type": "string", "description": "YYYY-MM-DD or DD/MM/YYYY",
                                        "pattern": "^\\s*([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}/[0-9]{1,2}/[0-9]{4})\\s*$"},
                       "source": {"enum": ["mooc", "vneid", "session", "assessment", "manual"]},
                       "reference": NULLABLE_STRING}},
    "CompletionsRequest": {
        "type": "object", "additionalProperties": False, "required": ["rows"],
        "properties": {"rows": {"type": "array", "minItems": 1, "maxItems": 50000, "items": _ref("CompletionRow")},
                       "dry_run": {"type": "boolean", "default": False}}},
    "CompletionsResult": {
        "type": "object", "additionalProperties": False,
        "required": ["ok", "dry_run", "rows", "accepted", "rejected", "changed", "errors", "error"],
        "properties": {"ok": {"type": "boolean"}, "dry_run": {"type": "boolean"}, "rows": {"type": "integer"},
                       "accepted": {"type": "integer"}, "rejected": {"type": "integer"},
                       "changed": {"type": "integer"}, "error": NULLABLE_STRING,
                       "errors": {"type": "array", "items": {
                           "type": "object", "additionalProperties": False,
                           "required": ["row", "field", "value", "reason"],
                           "properties": {"row": {"type": "integer", "description": "Index in rows, from 0"},
                                          "field": {"type": "string"}, "value": {"type": "string"},
                                          "reason": {"type": "string"}}}}}},
}


def document(server_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Thi Đua Số API", "version": "1",
                 "description": "Campaigns, published leaderboards, people's and households' progress, badge "
                                "assertions and completions, with the roles and unit scope of the account whose "
                                "bearer token is sent (Authorization: Bearer TOKEN; tokens are made on the "
                                "API tokens page)."},
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": {
            "/openapi.json": {"get": {"summary": "This document", "security": [],
                                      "responses": {"200": _json({"type": "object"}, "The OpenAPI document")}}},
            "/campaigns": {"get": {"summary": "The campaigns, latest first",
                                   "responses": {"200": _json({"type": "object", "required": ["campaigns"],
                                                               "properties": {"campaigns": {
                                                                   "type": "array", "items": _ref("Campaign")}}},
                                                              "The campaigns"), **ERRORS}}},
            "/campaigns/{code}/leaderboards/{board}": {"get": {
                "summary": "The latest publication of a board, paged (keyset) or around an entry",
                "parameters": [
                    {"name": "code", "in": "path", "required": True, "schema": TEXT},
                    {"name": "board", "in": "path", "required": True,
                     "schema": {"enum": ["units", "households", "people"]}},
                    {"name": "bracket", "in": "query", "schema": TEXT,
                     "description": "Units board: the bracket (default: commune)"},
                    {"name": "scope", "in": "query", "schema": TEXT,
                     "description": "Only entries inside this unit's subtree"},
                    {"name": "after", "in": "query", "schema": CURSOR},
                    {"name": "before", "in": "query", "schema": CURSOR},
                    {"name": "around", "in": "query", "schema": TEXT,
                     "description": "The page centred on this entry's key"},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200,
                                                                "default": 50}}],
                "responses": {"200": _json(_ref("Board"), "A page of the board"),
                              "400": {"$ref": "#/components/responses/BadRequest"}, **ERRORS, **NOT_FOUND}}},
            "/people/{external_id}": {"get": {
                "summary": "A person's progress (staff; a unit manager within their units)",
                "parameters": [{"name": "external_id", "in": "path", "required": True, "schema": TEXT},
                               CAMPAIGN_PARAM],
                "responses": {"200": _json(_ref("PersonProgress"), "The person's scores and badges"),
                              **ERRORS, **NOT_FOUND}}},
            "/households/{code}": {"get": {
                "summary": "A household's progress (staff; a unit manager within their units)",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": TEXT},
                               CAMPAIGN_PARAM],
                "responses": {"200": _json(_ref("HouseholdProgress"), "The household's scores and badges"),
                              **ERRORS, **NOT_FOUND}}},
            "/badges/{award_id}": {"get": {
                "summary": "A badge's Open Badges assertion",
                "parameters": [{"name": "award_id", "in": "path", "required": True, "schema": TEXT}],
                "responses": {"200": _json(_ref("Assertion"), "The assertion (revoked: true once revoked)"),
                              **ERRORS, **NOT_FOUND}}},
            "/completions": {"post": {
                "summary": "Import completions under the rules of the CSV import (administrators; unit "
                           "managers for their units)",
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": _ref("CompletionsRequest")}}},
                "responses": {"200": _json(_ref("CompletionsResult"), "Every row valid: imported (or checked)"),
                              "422": _json(_ref("CompletionsResult"), "Some rows invalid: nothing was written"),
                              "400": {"$ref": "#/components/responses/BadRequest"},
                              "413": _json(_ref("Error"), "The body is larger than API_MAX_BODY_MB (10 MB by "
                                                          "default): nothing was read"), **ERRORS}}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
            "responses": {
                "BadRequest": _json(_ref("Error"), "The request is malformed"),
                "Unauthorized": _json(_ref("Error"), "No valid bearer token"),
                "Forbidden": _json(_ref("Error"), "The account's role or unit does not allow it"),
                "NotFound": _json(_ref("Error"), "No such thing"),
                "TooManyRequests": {**_json(_ref("Error"), "Over the account's limit of requests a minute"),
                                    "headers": {"Retry-After": {"schema": {"type": "integer"},
                                                                "description": "Seconds to wait"}}},
                "Busy": {**_json(_ref("Error"), "The database is busy saving a large import (SQLite): "
                                               "nothing was done; send the request again later"),
                         "headers": {"Retry-After": {"schema": {"type": "integer"},
                                                     "description": "Seconds to wait"}}},
            },
        },
    }

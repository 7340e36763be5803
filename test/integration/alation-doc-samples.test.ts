/**
 * The vendor doc's own curl and Python samples, run against the emulator. Changes made to them,
 * and only these: the placeholder host https://alation.yourcompany.com becomes the emulator's URL
 * (the doc's example token is accepted by the emulator as a static access token of the admin);
 * Python 2 `print x` statements become `print(x)` (python3 runs them); and the "latest result"
 * curl sample ends with a stray `"` (a shell syntax error in the doc) that is removed. The ids the
 * samples name (queries 1, 15 and 123, result 321, session, batch and event 1) are made to exist.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { startAlation, RunningAlation } from "../helpers/alation";

const run = promisify(execFile);

/** The vendor doc's code samples, verbatim (shared/vendor-docs/alation-queries-api.txt). */
const DOC_SAMPLES = {
  createCurl: "#!/bin/bash\n\n# This is an example token. Please replace this with your token.\nAPI_TOKEN=\"2abcd-4c04-4c21-8692-eda27a877f90\"\n\nURL=\"https://alation.yourcompany.com/integration/v1/query/\"\n\ncurl -X POST \"${URL}\" -H 'Content-Type: application/json' -H \"Token: ${API_TOKEN}\" -d '{\n    \"datasource_id\": 1,\n    \"content\": \"SELECT count(*) FROM users;\\nSELECT TOP 10 * FROM users;\",\n    \"saved\": true,\n    \"author\": {\n       \"username\": \"author\"\n    }\n}'\n",
  createPython: "import csv\nimport pprint\nimport requests\n\n\n# This is an example token. Please replace this with your token.\nheaders = {'Token': '2abcd-4c04-4c21-8692-eda27a877f90'}\nBASE_URL = \"https://alation.yourcompany.com/integration/v1/query/\"\n\n# Get query result for result with id 321 in CSV format\nexecution_result_id = 321\n# download and parse response as csv\nwith requests.Session() as s:\n    response = requests.get(BASE_URL.format(execution_result_id), headers=headers)\n    decoded_content = response.content.decode('utf-8')\n    csv_reader = csv.reader(decoded_content.splitlines(), delimiter=',')\n    pprint.pprint(list(csv_reader))\n",
  sqlCurl: "#!/bin/bash\n\n# This is an example token. Please replace this with your token.\nAPI_TOKEN=\"2abcd-4c04-4c21-8692-eda27a877f90\"\n\nQUERY_ID=123\nBASE_URL=\"https://alation.yourcompany.com/integration/v1/query/$QUERY_ID/sql/\"\n\n# Get sql text for query with id 123\ncurl -H \"TOKEN: ${API_TOKEN}\" -g \"${BASE_URL}\"\n",
  sqlPython: "import requests\n\n\n# This is an example token. Please replace this with your token.\nheaders = {'Token': '2abcd-4c04-4c21-8692-eda27a877f90'}\nBASE_URL = \"https://alation.yourcompany.com/integration/v1/query/{}/sql/\"\n\n# Get sql text for query with id 123\nquery_id = 123\nresponse = requests.get(BASE_URL.format(query_id), headers=headers)\n\nprint response.content\n",
  csvCurl: "#!/bin/bash\n\n# This is an example token. Please replace this with your token.\nAPI_TOKEN=\"2abcd-4c04-4c21-8692-eda27a877f90\"\n\nEXECUTION_RESULT_ID=321\nBASE_URL=\"https://alation.yourcompany.com/integration/v1/result/$EXECUTION_RESULT_ID/csv/\"\n\n# Get query result for result with id 321 in CSV format\ncurl -H \"TOKEN: ${API_TOKEN}\" -g \"${BASE_URL}\"\n",
  csvPython: "import csv\nimport pprint\nimport requests\n\n\n# This is an example token. Please replace this with your token.\nheaders = {'Token': '2abcd-4c04-4c21-8692-eda27a877f90'}\nBASE_URL = \"https://alation.yourcompany.com/integration/v1/result/{}/csv/\"\n\n# Get query result for result with id 321 in CSV format\nexecution_result_id = 321\n# download and parse response as csv\nwith requests.Session() as s:\n    response = requests.get(BASE_URL.format(execution_result_id), headers=headers)\n    decoded_content = response.content.decode('utf-8')\n    csv_reader = csv.reader(decoded_content.splitlines(), delimiter=',')\n    pprint.pprint(list(csv_reader))\n",
  latestCurl: "#!/bin/bash\n\n# This is an example token. Please replace this with your token.\nAPI_TOKEN=\"2abcd-4c04-4c21-8692-eda27a877f90\"\n\nQUERY_ID=15\nBASE_URL=\"https://alation.yourcompany.com/integration/v1/query/$QUERY_ID/result/latest/\"\n\n# Get latest result ID for query with ID 15\ncurl -H \"TOKEN: ${API_TOKEN}\" -g \"${BASE_URL}\"\"\n",
  latestPython: "import json\nimport pprint\nimport requests\n\n\n# This is an example token. Please replace this with your token.\nheaders = {'Token': '2abcd-4c04-4c21-8692-eda27a877f90'}\nBASE_URL = \"https://alation.yourcompany.com/integration/v1/query/{}/result/latest/\"\n\n# Get latest result ID for query with ID 15\nquery_id = 15\nresponse = requests.get(BASE_URL.format(query_id), headers=headers)\n# Parse response as json\njson_response = json.loads(response.content)\n\npprint.pprint(json_response)\n",
  allCurl: "#!/bin/bash\n\n# This is an example token. Please replace this with your token obtained from getToken API call.\nAPI_TOKEN=\"2abcd-4c04-4c21-8692-eda27a877f90\"\n\nBASE_URL=\"https://alation.yourcompany.com/integration/v1/query\"\n\necho 'Get all queries'\ncurl -H \"TOKEN: ${API_TOKEN}\" \"${BASE_URL}/\"\n\necho 'Get a single query'\ncurl -H \"TOKEN: ${API_TOKEN}\" \"${BASE_URL}/1/\"\n\necho 'Get all execution sessions'\ncurl -H \"TOKEN: ${API_TOKEN}\" \"${BASE_URL}/execution_session/\"\n\necho 'Get all execution sessions for a given query'\ncurl -H \"TOKEN: ${API_TOKEN}\" \"${BASE_URL}/1/execution_session/\"\n\necho 'Get details for a single execution session'\ncurl -H \"TOKEN: ${API_TOKEN}\" \"${BASE_URL}/execution_session/1/\"\n\necho 'Get all execution batches'\ncurl -H \"TOKEN: ${API_TOKEN}\" \"${BASE_URL}/execution_batch/\"\n\necho 'Get all execution batches for a given query'\ncurl -H \"TOKEN: ${API_TOKEN}\" \"${BASE_URL}/1/execution_batch/\"\n\necho 'Get details for a single execution batch'\ncurl -H \"TOKEN: ${API_TOKEN}\" \"${BASE_URL}/execution_batch/1/\"\n\necho 'Get all execution events'\ncurl -H \"TOKEN: ${API_TOKEN}\" \"${BASE_URL}/execution_event/\"\n\necho 'Get all execution events for a given query'\ncurl -H \"TOKEN: ${API_TOKEN}\" \"${BASE_URL}/1/execution_event/\"\n\necho 'Get details for a single execution event'\ncurl -H \"TOKEN: ${API_TOKEN}\" \"${BASE_URL}/execution_event/1/\"\n\necho 'Get all scheduled runs'\ncurl -H \"TOKEN: ${API_TOKEN}\" \"${BASE_URL}/scheduled_run/\"\n\necho 'Get all scheduled runs for a given query'\ncurl -H \"TOKEN: ${API_TOKEN}\" \"${BASE_URL}/1/scheduled_run/\"\n\necho 'Get all scheduled runs or a given time period'\ncurl -H \"TOKEN: ${API_TOKEN}\" \"${BASE_URL}/scheduled_run/?ts_sent_to_broker__gt=2018-01-01&ts_sent_to_broker__lt=2018-01-02\"\n",
  allPython: "#!/usr/bin/python\n\nimport requests\nimport json\n\n# This is an example token. Please replace this with your token obtained from getToken API call.\nheaders = {'Token': '2abcd-4c04-4c21-8692-eda27a877f90'}\n\nbase_url='https://alation.yourcompany.com/integration/v1/query'\n\nprint '##### Get all queries #####'\nresponse = requests.get('%s/'%(base_url,), headers=headers)\nqueries = json.loads(response.text)\nfor query in queries:\n    print \"ID: %s, Title: %s\" % (query['id'], query['title'])\n\nprint '##### Get details for a single query #####'\nresponse = requests.get('%s/%d/'%(base_url,1), headers=headers)\nquery = json.loads(response.text)\nprint \"ID: %s, Title: %s\" % (query['id'], query['title'])\n\nprint '##### Get all execution sessions #####'\nresponse = requests.get('%s/execution_session/'%(base_url), headers=headers)\nsessions = json.loads(response.text)\nfor session in sessions:\n  print \"ID: %s, Client-session-ID: %s\" % (session['id'], session['client_session_id'])\n\nprint '##### Get all execution sessions for a given query #####'\nresponse = requests.get('%s/%d/execution_session/'%(base_url, 1), headers=headers)\nsessions = json.loads(response.text)\nfor session in sessions:\n  print \"ID: %s, Client-session-ID: %s\" % (session['id'], session['client_session_id'])\n\nprint '##### Get details for a single session #####'\nresponse = requests.get('%s/execution_session/%d/'%(base_url,1), headers=headers)\nsession = json.loads(response.text)\nprint \"ID: %s, Client-session-ID: %s\" % (session['id'], session['client_session_id'])\n\nprint '##### Get all execution batches #####'\nresponse = requests.get('%s/execution_batch/'%(base_url), headers=headers)\nbatches = json.loads(response.text)\nfor batch in batches:\n  print \"ID: %s, Query-ID: %s, Session-ID: %s\" % (batch['id'], batch['query_id'], batch['session_id'])\n\nprint '##### Get all execution batches for a given query #####'\nresponse = requests.get('%s/%d/execution_batch/'%(base_url, 1), headers=headers)\nbatches = json.loads(response.text)\nfor batch in batches:\n  print \"ID: %s, Query-ID: %s, Session-ID: %s\" % (batch['id'], batch['query_id'], batch['session_id'])\n\nprint '##### Get details for a single batch #####'\nresponse = requests.get('%s/execution_batch/%d/'%(base_url,1), headers=headers)\nbatch = json.loads(response.text)\nprint \"ID: %s, Query-ID: %s, Session-ID: %s\" % (batch['id'], batch['query_id'], batch['session_id'])\n\nprint '##### Get all execution events for a given query #####'\nresponse = requests.get('%s/%d/execution_event/'%(base_url, 1), headers=headers)\nevents = json.loads(response.text)\nfor event in events:\n  print \"ID: %s, Query-ID: %s, Session-ID: %s, Time-Executed: %s\" % (event['id'], event['query_id'], event['session_id'], event['ts_executed'])\n\nprint '##### Get all execution events #####'\nresponse = requests.get('%s/execution_event/'%(base_url), headers=headers)\nevents = json.loads(response.text)\nfor event in events:\n  print \"ID: %s, Query-ID: %s, Session-ID: %s, Time-Executed: %s\" % (event['id'], event['query_id'], event['session_id'], event['ts_executed'])\n\nprint '##### Get details for a single event #####'\nresponse = requests.get('%s/execution_event/%d/'%(base_url,1), headers=headers)\nevent = json.loads(response.text)\nprint \"ID: %s, Query-ID: %s, Session-ID: %s, Time-Executed: %s\" % (event['id'], event['query_id'], event['session_id'], event['ts_executed'])\n\nprint '##### Get all scheduled runs #####'\nresponse = requests.get('%s/scheduled_run/'%(base_url), headers=headers)\nruns = json.loads(response.text)\nfor run in runs:\n  print \"Task-ID: %s, Query-ID: %s, Session-ID: %s\" % (run['task_id'], run['query_id'], run['session_id'])\n\nprint '##### Get all scheduled runs for a given query #####'\nresponse = requests.get('%s/%d/scheduled_run/'%(base_url, 1), headers=headers)\nruns = json.loads(response.text)\nfor run in runs:\n  print \"Task-ID: %s, Query-ID: %s, Session-ID: %s\" % (run['task_id'], run['query_id'], run['session_id'])\n\nprint '##### Get all scheduled runs for a given time period #####'\nresponse = requests.get('%s/scheduled_run/%s'%(base_url, '?ts_sent_to_broker__gt=2018-01-01&ts_sent_to_broker__lt=2018-01-02'), headers=headers)\nruns = json.loads(response.text)\nfor run in runs:\n  print \"Task-ID: %s, Query-ID: %s, Session-ID: %s\" % (run['task_id'], run['query_id'], run['session_id'])\n",
};

const DOC_TOKEN = "2abcd-4c04-4c21-8692-eda27a877f90";
const DOC_HOST = "https://alation.yourcompany.com";

describe("Alation emulator: the vendor doc's curl and Python samples", function () {
  this.timeout(60_000);
  let a: RunningAlation;
  let dir: string;

  const adapt = (text: string) => text.split(DOC_HOST).join(a.url);
  const py3 = (text: string) => text.replace(/^(\s*)print (.+)$/gm, "$1print($2)");
  async function sh(sample: string): Promise<string> {
    const file = path.join(dir, "sample.sh");
    fs.writeFileSync(file, adapt(sample));
    return (await run("bash", [file])).stdout;
  }
  async function py(sample: string): Promise<string> {
    const file = path.join(dir, "sample.py");
    fs.writeFileSync(file, py3(adapt(sample)));
    return (await run("python3", [file])).stdout;
  }

  before(async () => {
    a = await startAlation({ options: { accessTokens: [`1:${DOC_TOKEN}`] } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "alation-samples-"));
  });
  after(async () => a?.stop());

  it("create query (curl): 201 with the new query, authored for another user by an admin token", async () => {
    const out = JSON.parse(await sh(DOC_SAMPLES.createCurl));
    expect(out).to.include({ id: 1, datasource_id: 1, saved: true, published: false, content: "SELECT count(*) FROM users;\nSELECT TOP 10 * FROM users;" });
    // the ids the other samples name
    const token = DOC_TOKEN;
    const make = async (id: number, content: string) => {
      a.emu.state.seq = { ...a.emu.state.seq, query: id - 1 };
      const r = await a.call("POST", "/integration/v1/query/", { token, json: { datasource_id: 1, title: `Query ${id}`, content } });
      expect(r.body.id).to.equal(id);
    };
    await make(15, "SELECT id, name, country FROM users ORDER BY id");
    expect((await a.call("POST", "/_alation/query/15/execute")).body.result_ids).to.deep.equal([1]);
    await make(123, "SELECT * FROM my_schema.my_table WHERE my_column is not NULL;");
    a.emu.state.seq = { ...a.emu.state.seq, result: 320 };
    expect((await a.call("POST", "/_alation/query/15/execute")).body.result_ids).to.deep.equal([321]);
  });

  it("query text (curl and Python)", async () => {
    expect(await sh(DOC_SAMPLES.sqlCurl)).to.equal("SELECT * FROM my_schema.my_table WHERE my_column is not NULL;");
    expect(await py(DOC_SAMPLES.sqlPython)).to.equal("b'SELECT * FROM my_schema.my_table WHERE my_column is not NULL;'\n");
  });

  it("result as CSV (curl and Python)", async () => {
    const csv = await sh(DOC_SAMPLES.csvCurl);
    expect(csv.split("\r\n").slice(0, 2)).to.deep.equal(["id,name,country", "1,Ada Lovelace,GB"]);
    const rows = await py(DOC_SAMPLES.csvPython);
    expect(rows).to.include("['id', 'name', 'country']").and.include("['5', 'Edsger Dijkstra', 'NL']");
  });

  it("latest result (curl and Python)", async () => {
    const fixed = DOC_SAMPLES.latestCurl.replace('"${BASE_URL}""', '"${BASE_URL}"');
    expect(fixed).to.not.equal(DOC_SAMPLES.latestCurl);
    const latest = JSON.parse(await sh(fixed));
    expect(latest).to.include({ id: 321, truncated: false });
    expect(latest.execution_event).to.include({ canceled: false, execution_error: null, finished: true });
    expect(await py(DOC_SAMPLES.latestPython)).to.match(/'id': 321/);
  });

  it("the create section's Python (it reads the query list as CSV)", async () => {
    const out = await py(DOC_SAMPLES.createPython);
    expect(out).to.include("datasource_id");
  });

  it("every list and detail call of the curl script answers 200 with JSON", async () => {
    const before = a.requests().length;
    const out = await sh(DOC_SAMPLES.allCurl);
    const calls = a.requests().slice(before);
    expect(calls).to.have.length(14);
    expect(calls.map((c) => c.status)).to.deep.equal(Array(14).fill(200));
    expect(out).to.include("Get all queries").and.not.include("Not found").and.not.include("API token");
  });

  it("the Python script prints every query, session, batch, event and run", async () => {
    const before = a.requests().length;
    const out = await py(DOC_SAMPLES.allPython);
    expect(a.requests().slice(before).every((c) => c.status === 200)).to.equal(true);
    expect(out).to.include("ID: 15, Title: Query 15");
    expect(out).to.match(/ID: 1, Client-session-ID: \S+#[0-9a-f]{8}/);
    expect(out).to.include("ID: 1, Query-ID: 15, Session-ID: 1");
    expect(out).to.match(/ID: 1, Query-ID: 15, Session-ID: 1, Time-Executed: \d{4}-/);
  });
});

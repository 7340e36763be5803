export async function policyReportMain(_argv: string[]): Promise<number> {
  process.stderr.write("pulumi-warehouse policy-report: not available yet\n");
  return 1;
}

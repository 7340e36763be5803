export async function exportMain(_argv: string[]): Promise<number> {
  process.stderr.write("pulumi-warehouse export: not available yet\n");
  return 1;
}

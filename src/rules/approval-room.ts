// How much an approval request may still ask for: the room under the day's cap after today's worst case and after
// the requests already open (each counted at its worst case, as if it were approved).
export function approvalRoomE4(x: { capE4: number; atRiskE4: number; openApprovalsE4: number }): number {
  return Math.max(0, x.capE4 - x.atRiskE4 - x.openApprovalsE4);
}

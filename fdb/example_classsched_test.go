package fdb_test

// The class-scheduling application of FoundationDB's tutorial "Class
// Scheduling in Go", written for plinth/fdb: the only difference from a
// program for FoundationDB is the import prefix.

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"

	"github.com/plinthdb/plinth/fdb"
	"github.com/plinthdb/plinth/fdb/directory"
	"github.com/plinthdb/plinth/fdb/subspace"
	"github.com/plinthdb/plinth/fdb/tuple"
	"github.com/stretchr/testify/require"
)

// scheduling holds the tutorial's two subspaces: ("class", name) = seats
// left, and ("attends", student, class) = "".
type scheduling struct {
	course, attends subspace.Subspace
}

var (
	errNoSeats       = errors.New("no remaining seats")
	errTooManyClases = errors.New("too many classes")
)

// openScheduling opens the application's directory and fills it with classes
// of seats seats each, as the tutorial's main does.
func openScheduling(db fdb.Database, classes []string, seats int) (scheduling, error) {
	dir, err := directory.CreateOrOpen(db, []string{"scheduling"}, nil)
	if err != nil {
		return scheduling{}, err
	}
	s := scheduling{course: dir.Sub("class"), attends: dir.Sub("attends")}
	_, err = db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		tr.ClearRange(dir)
		for _, c := range classes {
			tr.Set(s.course.Pack(tuple.Tuple{c}), []byte(strconv.Itoa(seats)))
		}
		return nil, nil
	})
	return s, err
}

// availableClasses lists the classes with a seat left.
func (s scheduling) availableClasses(t fdb.Transactor) ([]string, error) {
	r, err := t.ReadTransact(func(rtr fdb.ReadTransaction) (interface{}, error) {
		var open []string
		ri := rtr.GetRange(s.course, fdb.RangeOptions{}).Iterator()
		for ri.Advance() {
			kv := ri.MustGet()
			seats, err := strconv.Atoi(string(kv.Value))
			if err != nil {
				return nil, err
			}
			if seats > 0 {
				t, err := s.course.Unpack(kv.Key)
				if err != nil {
					return nil, err
				}
				open = append(open, t[0].(string))
			}
		}
		return open, nil
	})
	if err != nil {
		return nil, err
	}
	return r.([]string), nil
}

// signup takes a seat in class for student, at most five classes each.
func (s scheduling) signup(t fdb.Transactor, student, class string) error {
	attendKey := s.attends.Pack(tuple.Tuple{student, class})
	classKey := s.course.Pack(tuple.Tuple{class})
	_, err := t.Transact(func(tr fdb.Transaction) (interface{}, error) {
		if tr.Get(attendKey).MustGet() != nil {
			return nil, nil // already signed up
		}
		seats, err := strconv.Atoi(string(tr.Get(classKey).MustGet()))
		if err != nil {
			return nil, err
		}
		if seats == 0 {
			return nil, errNoSeats
		}
		mine := tr.GetRange(s.attends.Sub(student), fdb.RangeOptions{Mode: fdb.StreamingModeWantAll}).GetSliceOrPanic()
		if len(mine) == 5 {
			return nil, errTooManyClases
		}
		tr.Set(classKey, []byte(strconv.Itoa(seats-1)))
		tr.Set(attendKey, []byte{})
		return nil, nil
	})
	return err
}

// drop gives back student's seat in class, if any.
func (s scheduling) drop(t fdb.Transactor, student, class string) error {
	attendKey := s.attends.Pack(tuple.Tuple{student, class})
	classKey := s.course.Pack(tuple.Tuple{class})
	_, err := t.Transact(func(tr fdb.Transaction) (interface{}, error) {
		if tr.Get(attendKey).MustGet() == nil {
			return nil, nil // not taking this class
		}
		seats, err := strconv.Atoi(string(tr.Get(classKey).MustGet()))
		if err != nil {
			return nil, err
		}
		tr.Set(classKey, []byte(strconv.Itoa(seats+1)))
		tr.Clear(attendKey)
		return nil, nil
	})
	return err
}

// swap drops one class and signs up for another in one transaction: if the
// signup fails, the drop does not happen either.
func (s scheduling) swap(t fdb.Transactor, student, oldClass, newClass string) error {
	_, err := t.Transact(func(tr fdb.Transaction) (interface{}, error) {
		if err := s.drop(tr, student, oldClass); err != nil {
			return nil, err
		}
		return nil, s.signup(tr, student, newClass)
	})
	return err
}

// indecisiveStudent makes ops random choices among adding, dropping and
// switching classes, rechecking the open classes after a refusal.
func (s scheduling) indecisiveStudent(db fdb.Database, id, ops int) error {
	student := fmt.Sprintf("s%d", id)
	var open, mine []string
	for i := 0; i < ops; i++ {
		var moods []string
		if len(mine) > 0 {
			moods = append(moods, "drop", "switch")
		}
		if len(mine) < 5 {
			moods = append(moods, "add")
		}
		var err error
		if len(open) == 0 {
			if open, err = s.availableClasses(db); err != nil {
				return err
			}
			if len(open) == 0 {
				continue
			}
		}
		switch moods[rand.IntN(len(moods))] {
		case "add":
			class := open[rand.IntN(len(open))]
			if err = s.signup(db, student, class); err == nil {
				mine = append(mine, class)
			}
		case "drop":
			i := rand.IntN(len(mine))
			if err = s.drop(db, student, mine[i]); err == nil {
				mine[i] = mine[len(mine)-1]
				mine = mine[:len(mine)-1]
			}
		case "switch":
			i := rand.IntN(len(mine))
			class := open[rand.IntN(len(open))]
			if err = s.swap(db, student, mine[i], class); err == nil {
				mine[i] = class
			}
		}
		switch {
		case errors.Is(err, errNoSeats) || errors.Is(err, errTooManyClases):
			open = nil // need to recheck classes
		case err != nil:
			return err
		}
	}
	return nil
}

// run starts students goroutines of opsPerStudent choices each and waits.
func (s scheduling) run(db fdb.Database, students, opsPerStudent int) error {
	var wg sync.WaitGroup
	errs := make([]error, students)
	for i := 0; i < students; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.indecisiveStudent(db, i, opsPerStudent)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// classNames builds the tutorial's catalogue: level × type × time.
func classNames() []string {
	levels := []string{"intro", "for dummies", "remedial", "101", "201", "301", "mastery", "lab", "seminar"}
	types := []string{"chem", "bio", "cs", "geometry", "calc", "alg", "film", "music", "art", "dance"}
	times := []string{"2:00", "3:00", "4:00", "5:00", "6:00", "7:00", "8:00", "9:00", "10:00", "11:00",
		"12:00", "13:00", "14:00", "15:00", "16:00", "17:00", "18:00", "19:00"}
	var classes []string
	for _, l := range levels {
		for _, ty := range types {
			for _, tm := range times {
				classes = append(classes, fmt.Sprintf("%s %s %s", l, ty, tm))
			}
		}
	}
	return classes
}

// Example_classScheduling runs the tutorial's application: ten indecisive
// students making ten choices each, concurrently, over 1,620 classes of 100
// seats.
func Example_classScheduling() {
	fdb.MustAPIVersion(800)
	db := fdb.MustOpenDatabase("example-class-scheduling")
	db.Options().SetTransactionTimeout(60000) // 60,000 ms = 1 minute
	db.Options().SetTransactionRetryLimit(100)

	s, err := openScheduling(db, classNames(), 100)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := s.run(db, 10, 10); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("Ran", 10*10, "transactions")
	// Output: Ran 100 transactions
}

// TestClassSchedulingInvariants runs many students over few seats, so that
// they contend for the last seats and conflict, and checks the tutorial's
// invariants afterwards: no class has negative seats, the seats taken in
// every class equal its attendance records, and no student has more than
// five classes.
func TestClassSchedulingInvariants(t *testing.T) {
	db := freshDB(t)
	db.Options().SetTransactionRetryLimit(1000)
	classes := classNames()[:12]
	const seats = 3
	s, err := openScheduling(db, classes, seats)
	require.NoError(t, err)
	require.NoError(t, s.run(db, 16, 40))

	_, err = db.ReadTransact(func(rtr fdb.ReadTransaction) (interface{}, error) {
		left := map[string]int{}
		for _, kv := range rtr.GetRange(s.course, fdb.RangeOptions{}).GetSliceOrPanic() {
			c, err := s.course.Unpack(kv.Key)
			require.NoError(t, err)
			n, err := strconv.Atoi(string(kv.Value))
			require.NoError(t, err)
			require.GreaterOrEqual(t, n, 0, "seats of %v", c)
			left[c[0].(string)] = n
		}
		require.Len(t, left, len(classes))
		taken := map[string]int{}
		perStudent := map[string]int{}
		for _, kv := range rtr.GetRange(s.attends, fdb.RangeOptions{}).GetSliceOrPanic() {
			a, err := s.attends.Unpack(kv.Key)
			require.NoError(t, err)
			perStudent[a[0].(string)]++
			taken[a[1].(string)]++
		}
		for c, n := range left {
			require.Equal(t, seats, n+taken[c], "class %q: seats left plus attendees", c)
		}
		for st, n := range perStudent {
			require.LessOrEqual(t, n, 5, "student %s", st)
		}
		return nil, nil
	})
	require.NoError(t, err)
}
